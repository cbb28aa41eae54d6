using System.Text.Json.Nodes;
using VmSnapshot.Lab;
using Xunit;
using static VmSnapshot.Tests.Controllers.ControllerTestSupport;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Controllers;

/// <summary>VirtualMachineClone (reference §2): phases, new identity of the clone, filters, patches, and the hang of kubevirt#10935.</summary>
public sealed class CloneTests : IDisposable
{
    private readonly LabServer _lab = StartControlledLab();
    private readonly HttpClient _http;

    public CloneTests() => _http = Http(_lab);

    public void Dispose()
    {
        _http.Dispose();
        DisposeAndCheck(_lab);
    }

    private static string CloneJson(string name, string source, string? target, JsonObject? extra = null)
    {
        JsonObject spec = extra ?? new JsonObject();
        spec["source"] = new JsonObject { ["apiGroup"] = "kubevirt.io", ["kind"] = "VirtualMachine", ["name"] = source };
        if (target != null) spec["target"] = new JsonObject { ["apiGroup"] = "kubevirt.io", ["kind"] = "VirtualMachine", ["name"] = target };
        return new JsonObject
        {
            ["apiVersion"] = "clone.kubevirt.io/v1beta1", ["kind"] = "VirtualMachineClone",
            ["metadata"] = new JsonObject { ["name"] = name }, ["spec"] = spec,
        }.ToJsonString();
    }

    private Task<JsonObject?> Phase(string name, string phase) => WaitForAsync(_http, "virtualmachineclones", "vms", name, c => Str(c, "status", "phase") == phase);

    [Fact]
    public async Task ACloneGetsNewMacsSerialFilteredLabelsAndTheDevSegment()
    {
        await using WatchRecorder clones = new(_http, "virtualmachineclones", "vms", "dev-copy");
        JsonObject created = await CreateAsync(_http, "virtualmachineclones", "vms", CloneJson("dev-copy", "rhel8-brainy-bear", "rhel8-dev", new JsonObject
        {
            ["newMacAddresses"] = new JsonObject { ["default"] = "DE-AD-00-00-BE-AF" },
            ["newSMBiosSerial"] = "lab-serial-0001",
            ["labelFilters"] = new JsonArray("*", "!vm.kubevirt.io/template"),
            ["patches"] = new JsonArray("{\"op\":\"replace\",\"path\":\"/spec/template/spec/networks/1/multus/networkName\",\"value\":\"dev-segment\"}"),
        }));
        string? uid = Str(created, "metadata", "uid");
        JsonObject? done = await Phase("dev-copy", "Succeeded");
        Assert.Equal("rhel8-dev", Str(done, "status", "targetName"));
        Assert.Equal(["Progressing=False/Ready", "Ready=True/Ready"], Conditions(done));
        string[] phases = clones.Versions.Select(c => Str(c, "status", "phase")).Where(p => p != null).Select(p => p!).Distinct().ToArray();
        Assert.Equal(["SnapshotInProgress", "RestoreInProgress", "CreatingTargetVM", "Succeeded"], phases);
        Assert.Contains(clones.Versions, c => Str(c, "status", "snapshotName") == $"tmp-snapshot-{uid}");
        Assert.Contains(clones.Versions, c => Str(c, "status", "restoreName") == $"tmp-restore-{uid}");

        JsonObject? vm = await GetAsync(_http, "virtualmachines", "vms", "rhel8-dev");
        JsonNode template = vm!["spec"]!["template"]!["spec"]!;
        JsonArray interfaces = template["domain"]!["devices"]!["interfaces"]!.AsArray();
        Assert.Equal("DE-AD-00-00-BE-AF", Str(interfaces[0], "macAddress"));
        Assert.NotEqual("02:5e:1a:00:02:02", Str(interfaces[1], "macAddress")); // KubeMacPool gave the blanked one a new address
        Assert.Matches("^02(:[0-9a-f]{2}){5}$", Str(interfaces[1], "macAddress"));
        Assert.Equal("lab-serial-0001", Str(template, "domain", "firmware", "serial"));
        Assert.Equal("", Str(template, "domain", "firmware", "uuid"));
        Assert.Equal("dev-segment", Str(template["networks"]![1], "multus", "networkName"));
        Assert.Null(vm["metadata"]!["labels"]!["vm.kubevirt.io/template"]);
        Assert.Equal("rhel8-brainy-bear", Str(vm, "metadata", "labels", "app"));
        Assert.Equal("Halted", Str(vm, "spec", "runStrategy"));

        // The temporary snapshot and restore go once the new PVCs are bound.
        JsonObject? clean = await WaitForAsync(_http, "virtualmachineclones", "vms", "dev-copy", c => c!["status"]!["restoreName"] == null && c["status"]!["snapshotName"] == null);
        Assert.Equal("Succeeded", Str(clean, "status", "phase"));
        await WaitForAsync(_http, "virtualmachinesnapshots", "vms", $"tmp-snapshot-{uid}", s => s == null);
        await WaitForAsync(_http, "virtualmachinerestores", "vms", $"tmp-restore-{uid}", r => r == null);
        List<string?> reasons = (await GetAsync(_http, "/api/v1/namespaces/vms/events?fieldSelector=involvedObject.name%3Ddev-copy")).Body!["items"]!.AsArray().Select(e => Str(e, "reason")).ToList();
        Assert.Contains("SnapshotCreated", reasons);
        Assert.Contains("RestoreCreated", reasons);
        Assert.Contains("TargetVMCreated", reasons);
    }

    [Fact]
    public async Task AFinishedCloneHasKubeVirtsEventTextsNoCreationTimeAndNullProbeTimes()
    {
        JsonObject created = await CreateAsync(_http, "virtualmachineclones", "vms", CloneJson("texts", "centos-stopped", "centos-copy"));
        string uid = Str(created, "metadata", "uid")!;
        JsonObject? done = await WaitForAsync(_http, "virtualmachineclones", "vms", "texts",
            c => Str(c, "status", "phase") == "Succeeded" && c!["status"]!["restoreName"] == null && c["status"]!["snapshotName"] == null);

        // clone.go updateStatus never writes status.creationTime; the conditions carry lastProbeTime: null.
        JsonObject status = done!["status"]!.AsObject();
        Assert.False(status.ContainsKey("creationTime"));
        Assert.Equal(["Progressing=False/Ready", "Ready=True/Ready"], Conditions(done));
        Assert.All(status["conditions"]!.AsArray(), c => Assert.True(c!.AsObject().TryGetPropertyValue("lastProbeTime", out JsonNode? probe) && probe == null));

        // Every step through logAndRecord: Normal events with clone.go's texts, one PVCBound, no SnapshotDeleted.
        JsonArray events = (await GetAsync(_http, "/api/v1/namespaces/vms/events?fieldSelector=involvedObject.name%3Dtexts")).Body!["items"]!.AsArray();
        Assert.All(events, e => Assert.Equal("Normal", Str(e, "type")));
        Dictionary<string, string?> messages = events.ToDictionary(e => Str(e, "reason")!, e => Str(e, "message"));
        Assert.Equal(new Dictionary<string, string?>
        {
            ["SnapshotCreated"] = $"created snapshot tmp-snapshot-{uid} for clone texts",
            ["SnapshotReady"] = $"snapshot tmp-snapshot-{uid} for clone texts is ready to use",
            ["RestoreCreated"] = $"created restore tmp-restore-{uid} for clone texts",
            ["RestoreReady"] = $"restore tmp-restore-{uid} for clone texts is ready to use",
            ["TargetVMCreated"] = "created target VM centos-copy for clone texts",
            ["PVCBound"] = "all PVC for clone texts are bound",
        }, messages);
    }

    [Fact]
    public async Task ACloneCreatedBeforeItsSourceWaitsAsPending()
    {
        await CreateAsync(_http, "virtualmachineclones", "vms", CloneJson("early", "arrives-later", "arrived-copy"));
        JsonObject? pending = await WaitForAsync(_http, "virtualmachineclones", "vms", "early", c => c?["status"]?["conditions"] != null);
        Assert.Equal(["Progressing=False/Pending", "Ready=False/Source doesnt exist: VirtualMachine vms/arrives-later"], Conditions(pending));
        Assert.Null(Str(pending, "status", "phase"));
        await TestVms.CreateAsync(_http, "arrives-later", ["root"], runStrategy: "Halted");
        await Phase("early", "Succeeded");
        Assert.NotNull(await GetAsync(_http, "virtualmachines", "vms", "arrived-copy"));
    }

    [Fact]
    public async Task ASecondCloneToTheSameTargetNameHangsInRestoreInProgressWithoutAnError()
    {
        await CreateAsync(_http, "virtualmachineclones", "vms", CloneJson("first", "fedora-no-agent", "same-name"));
        await Phase("first", "Succeeded");
        JsonObject second = await CreateAsync(_http, "virtualmachineclones", "vms", CloneJson("second", "fedora-no-agent", "same-name"));
        await Phase("second", "RestoreInProgress");
        JsonObject? restore = await WaitForAsync(_http, "virtualmachinerestores", "vms", $"tmp-restore-{Str(second, "metadata", "uid")}",
            r => Condition(r, "Ready") == "Ready=False/restore source and restore target are different but restore target already exists");
        Assert.NotNull(restore);
        await Task.Delay(300); // a minute of lab time: nothing changes, nothing fails
        JsonObject? stuck = await GetAsync(_http, "virtualmachineclones", "vms", "second");
        Assert.Equal("RestoreInProgress", Str(stuck, "status", "phase"));
        Assert.Equal(["Progressing=True/Still processing", "Ready=False/Still processing"], Conditions(stuck));
    }

    [Fact]
    public async Task ACloneWhoseTemporarySnapshotIsDeletedWhileRestoringFails()
    {
        await CreateAsync(_http, "virtualmachineclones", "vms", CloneJson("first", "fedora-no-agent", "same-name"));
        await Phase("first", "Succeeded");
        JsonObject second = await CreateAsync(_http, "virtualmachineclones", "vms", CloneJson("second", "fedora-no-agent", "same-name"));
        await Phase("second", "RestoreInProgress"); // held there by kubevirt#10935
        string snapshot = $"tmp-snapshot-{Str(second, "metadata", "uid")}";
        Assert.Equal(200, (await SendAsync(_http, HttpMethod.Delete, PathOf("virtualmachinesnapshots", "vms", snapshot))).Code);

        await WaitForAsync(_http, "virtualmachinesnapshots", "vms", snapshot, s => s == null);
        // clone.go getSnapshot: a snapshot gone while restoring fails the clone (updateStatus's failing branch).
        JsonObject? failed = await Phase("second", "Failed");
        Assert.Equal(["Progressing=False/Failed", $"Ready=False/snapshot {snapshot} does not exist anymore"], Conditions(failed));
        JsonArray events = (await GetAsync(_http, "/api/v1/namespaces/vms/events?fieldSelector=involvedObject.name%3Dsecond,reason%3DSnapshotDeleted")).Body!["items"]!.AsArray();
        JsonNode? deleted = Assert.Single(events);
        Assert.Equal("Normal", Str(deleted, "type"));
        Assert.Equal($"snapshot {snapshot} does not exist anymore", Str(deleted, "message"));
    }

    [Fact]
    public async Task AVmWithADiskThatCannotBeSnapshottedLeavesTheClonePending()
    {
        await CreateAsync(_http, "virtualmachineclones", "vms", CloneJson("nfs", "db-nfs-data", "nfs-copy"));
        for (int i = 0; i < 500; i++)
        {
            JsonArray events = (await GetAsync(_http, "/api/v1/namespaces/vms/events?fieldSelector=reason%3DVMVolumeSnapshotsInvalid")).Body!["items"]!.AsArray();
            if (events.Count > 0)
            {
                Assert.Equal("Virtual Machine volume data does not support snapshots", Str(events[0], "message"));
                Assert.Equal("Normal", Str(events[0], "type")); // clone.go logAndRecord
                // createSnapshotFromVm: the clone is pending (updateStatus's isClonePending), no phase.
                JsonObject? pending = await WaitForAsync(_http, "virtualmachineclones", "vms", "nfs", c => c?["status"]?["conditions"] != null);
                Assert.Equal(["Progressing=False/Pending", "Ready=False/Virtual Machine volume data does not support snapshots"], Conditions(pending));
                Assert.Null(Str(pending, "status", "phase"));
                return;
            }
            await Task.Delay(10);
        }
        Assert.Fail("no VMVolumeSnapshotsInvalid event");
    }

    [Fact]
    public async Task TheCloneWebhooksDefaultTheTargetAndRefuseBadSpecs()
    {
        JsonObject defaulted = await CreateAsync(_http, "virtualmachineclones", "vms", CloneJson("unnamed", "centos-stopped", null));
        Assert.Matches("^clone-centos-stopped-[a-z0-9]{5}$", Str(defaulted, "spec", "target", "name"));
        AssertStatus(await SendAsync(_http, HttpMethod.Post, PathOf("virtualmachineclones", "vms"), CloneJson("self", "centos-stopped", "centos-stopped")), 422, "Invalid",
            "admission webhook \"vm-clone-validator.kubevirt.io\" denied the request: Target name cannot be equal to source name when both are VirtualMachines");
        AssertStatus(await SendAsync(_http, HttpMethod.Post, PathOf("virtualmachineclones", "vms"), CloneJson("mac", "centos-stopped", "x", new JsonObject { ["newMacAddresses"] = new JsonObject { ["default"] = "not-a-mac" } })), 422, "Invalid",
            "admission webhook \"vm-clone-validator.kubevirt.io\" denied the request: interface default has malformed MAC address (not-a-mac).");
        AssertStatus(await SendAsync(_http, HttpMethod.Post, PathOf("virtualmachineclones", "vms"), CloneJson("patch", "centos-stopped", "x", new JsonObject { ["patches"] = new JsonArray("{nope") })), 422, "Invalid",
            "admission webhook \"vm-clone-validator.kubevirt.io\" denied the request: patch is not valid JSON ({nope)");
    }

    [Fact]
    public async Task AMacWithColonsPassesTheCloneWebhookButTheRestoreWebhookRefusesItsPatch()
    {
        await CreateAsync(_http, "virtualmachineclones", "vms", CloneJson("colons", "fedora-no-agent", "colon-copy",
            new JsonObject { ["newMacAddresses"] = new JsonObject { ["default"] = "02:00:00:00:00:42" } }));
        await Phase("colons", "RestoreInProgress");
        for (int i = 0; i < 500; i++)
        {
            JsonArray events = (await GetAsync(_http, "/api/v1/namespaces/vms/events?fieldSelector=reason%3DRestoreCreationFailed")).Body!["items"]!.AsArray();
            if (events.Count > 0)
            {
                Assert.Contains("patch format is not valid - one \":\" expected in a single key-value json patch", Str(events[0], "message"));
                Assert.Null(await GetAsync(_http, "virtualmachines", "vms", "colon-copy"));
                return;
            }
            await Task.Delay(10);
        }
        Assert.Fail("no RestoreCreationFailed event");
    }
}
