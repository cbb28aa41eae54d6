using System.Text.Json.Nodes;
using VmSnapshot.Lab;
using Xunit;
using static VmSnapshot.Tests.Controllers.ControllerTestSupport;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Controllers;

/// <summary>
/// Snapshot failure and cleanup paths of reference §4.1, mirroring KubeVirt's functional tests: deadline exceeded
/// while frozen ([test_id:6838]), deleting a frozen snapshot ([test_id:6837]), freeze failure, missing source,
/// VolumeSnapshot deleted, and the webhook refusals.
/// </summary>
public sealed class SnapshotFailureTests : IDisposable
{
    private readonly LabServer _lab = StartControlledLab();
    private readonly HttpClient _http;

    public SnapshotFailureTests() => _http = Http(_lab);

    public void Dispose()
    {
        _http.Dispose();
        DisposeAndCheck(_lab);
    }

    /// <summary>Like the functional tests' webhook that denies VolumeSnapshot creation: the snapshot stays frozen and in progress.</summary>
    private void RejectVolumeSnapshotsOn(string storageClass) => _lab.Store.Update("storageclasses", null, storageClass, sc =>
        sc["metadata"]!["annotations"]!["lab.vmsnapshot.io/storage"] = "{\"rejectVolumeSnapshots\": \"admission webhook \\\"deny-vs\\\" denied the request\"}");

    [Fact]
    public async Task DeadlineExceededWhileFrozenFailsAndLeavesTheVmThawedAndUnlocked()
    {
        RejectVolumeSnapshotsOn("trident-svm");
        await using WatchRecorder vmis = new(_http, "virtualmachineinstances", "vms", "rhel8-brainy-bear");
        await using WatchRecorder vms = new(_http, "virtualmachines", "vms", "rhel8-brainy-bear");
        JsonObject created = await CreateAsync(_http, "virtualmachinesnapshots", "vms", SnapshotJson("late", "rhel8-brainy-bear", failureDeadline: "40s"));

        JsonObject? failed = await WaitForAsync(_http, "virtualmachinesnapshots", "vms", "late", s => Str(s, "status", "phase") == "Failed");
        Assert.Equal(["Progressing=False/Operation failed", "Ready=False/Not ready", "Failure=True/snapshot deadline exceeded"], Conditions(failed));
        // KubeVirt records the deadline only as the Failure condition: updateSnapshotStatus (snapshot.go) copies
        // status.error from the content and nowhere else, and this content never had an error.
        Assert.Null(failed!["status"]!["error"]);
        Assert.Null(failed!["status"]!["creationTime"]);
        Assert.False(failed["status"]!["readyToUse"]!.GetValue<bool>());

        Assert.Contains(vmis.Versions, v => Str(v, "status", "fsFreezeStatus") == "frozen");
        JsonObject? vmi = await WaitForAsync(_http, "virtualmachineinstances", "vms", "rhel8-brainy-bear", v => Str(v, "status", "fsFreezeStatus") == null);
        Assert.Contains(vms.Versions, v => Str(v, "status", "snapshotInProgress") == "late");
        JsonObject? vm = await GetAsync(_http, "virtualmachines", "vms", "rhel8-brainy-bear");
        Assert.Null(vm!["status"]!["snapshotInProgress"]);
        Assert.DoesNotContain("snapshot.kubevirt.io/snapshot-source-protection", Strings(vm["metadata"]!["finalizers"]));
        await WaitForAsync(_http, "virtualmachinesnapshotcontents", "vms", $"vmsnapshot-content-{Str(created, "metadata", "uid")}", c => c == null);
    }

    [Fact]
    public async Task DeletingAFrozenSnapshotThawsAndUnlocks()
    {
        RejectVolumeSnapshotsOn("trident-svm");
        await using WatchRecorder snaps = new(_http, "virtualmachinesnapshots", "vms", "stuck");
        await CreateAsync(_http, "virtualmachinesnapshots", "vms", SnapshotJson("stuck", "rhel8-brainy-bear", failureDeadline: "0s"));
        await WaitForAsync(_http, "virtualmachineinstances", "vms", "rhel8-brainy-bear", v => Str(v, "status", "fsFreezeStatus") == "frozen");
        await Task.Delay(200); // 40 s of lab time: "0s" means no deadline and no auto-thaw
        JsonObject? still = await GetAsync(_http, "virtualmachinesnapshots", "vms", "stuck");
        Assert.Equal("InProgress", Str(still, "status", "phase"));
        Assert.Equal("frozen", Str(await GetAsync(_http, "virtualmachineinstances", "vms", "rhel8-brainy-bear"), "status", "fsFreezeStatus"));

        // While the lock is held the VM webhook and virt-api refuse run-state changes and unpausing.
        (int Code, JsonNode? Body) patch = await SendAsync(_http, HttpMethod.Patch, PathOf("virtualmachines", "vms", "rhel8-brainy-bear"), "{\"spec\":{\"runStrategy\":\"Halted\"}}", "application/merge-patch+json");
        AssertStatus(patch, 422, "Invalid", "admission webhook \"virtualmachine-validator.kubevirt.io\" denied the request: Cannot update vm running state until snapshot \"stuck\" completes");
        (int Code, JsonNode? Body) stop = await SendAsync(_http, HttpMethod.Put, "/apis/subresources.kubevirt.io/v1/namespaces/vms/virtualmachines/rhel8-brainy-bear/stop", "{}");
        Assert.Equal(500, stop.Code);
        Assert.Contains("Cannot update vm running state until snapshot \"stuck\" completes", Str(stop.Body, "message"));
        (int Code, JsonNode? Body) volumes = await SendAsync(_http, HttpMethod.Patch, PathOf("virtualmachines", "vms", "rhel8-brainy-bear"),
            "[{\"op\":\"remove\",\"path\":\"/spec/template/spec/volumes/1\"}]", "application/json-patch+json");
        AssertStatus(volumes, 422, "Invalid", "admission webhook \"virtualmachine-validator.kubevirt.io\" denied the request: Cannot update vm disks or volumes until snapshot \"stuck\" completes");

        Assert.Equal(200, (await SendAsync(_http, HttpMethod.Delete, PathOf("virtualmachinesnapshots", "vms", "stuck"))).Code);
        await WaitForAsync(_http, "virtualmachinesnapshots", "vms", "stuck", s => s == null);
        Assert.Contains(snaps.Versions, s => Str(s, "status", "phase") == "Deleting" && Condition(s, "Progressing") == "Progressing=False/VM snapshot is deleting");
        await WaitForAsync(_http, "virtualmachineinstances", "vms", "rhel8-brainy-bear", v => Str(v, "status", "fsFreezeStatus") == null);
        JsonObject? vm = await WaitForAsync(_http, "virtualmachines", "vms", "rhel8-brainy-bear", v => v!["status"]!["snapshotInProgress"] == null);
        Assert.DoesNotContain("snapshot.kubevirt.io/snapshot-source-protection", Strings(vm!["metadata"]!["finalizers"]));
    }

    [Fact]
    public async Task AFailingFreezeIsCopiedAsInErrorStateWithAFreezeErrorEvent()
    {
        await TestVms.CreateAsync(_http, "hook-fails", ["root"], "{\"freezeError\":\"fsfreeze hook has failed with status 1\"}");
        await WaitForAsync(_http, "virtualmachineinstances", "vms", "hook-fails", v => Condition(v, "AgentConnected") != null);
        await CreateAsync(_http, "virtualmachinesnapshots", "vms", SnapshotJson("hooked", "hook-fails", failureDeadline: "1m"));
        JsonObject? erroring = await WaitForAsync(_http, "virtualmachinesnapshots", "vms", "hooked", s => s?["status"]?["error"] != null);
        Assert.Equal("InProgress", Str(erroring, "status", "phase"));
        Assert.Equal(["Progressing=False/In error state", "Ready=False/Not ready"], Conditions(erroring));
        Assert.Contains("command Freeze failed", Str(erroring, "status", "error", "message"));
        Assert.Contains("fsfreeze hook has failed with status 1", Str(erroring, "status", "error", "message"));
        Assert.Null(erroring!["status"]!["creationTime"]);
        JsonArray all = (await GetAsync(_http, "/apis/snapshot.storage.k8s.io/v1/namespaces/vms/volumesnapshots")).Body!["items"]!.AsArray();
        Assert.DoesNotContain(all, v => Str(v, "spec", "source", "persistentVolumeClaimName") == "hook-fails-root");
        JsonArray events = (await GetAsync(_http, "/api/v1/namespaces/vms/events?fieldSelector=involvedObject.name%3Dhook-fails,reason%3DFreezeError")).Body!["items"]!.AsArray();
        Assert.Equal("VirtualMachineInstance", Str(Assert.Single(events), "involvedObject", "kind"));
        // The deadline still ends it (1 minute = 300 ms here).
        await WaitForAsync(_http, "virtualmachinesnapshots", "vms", "hooked", s => Str(s, "status", "phase") == "Failed");
    }

    [Fact]
    public async Task ADeadlineAfterAFreezeErrorKeepsTheContentsErrorAndAddsOnlyTheFailureCondition()
    {
        await TestVms.CreateAsync(_http, "hook-fails", ["root"], "{\"freezeError\":\"fsfreeze hook has failed with status 1\"}");
        await WaitForAsync(_http, "virtualmachineinstances", "vms", "hook-fails", v => Condition(v, "AgentConnected") != null);
        await CreateAsync(_http, "virtualmachinesnapshots", "vms", SnapshotJson("hooked", "hook-fails", failureDeadline: "1m"));

        JsonObject? failed = await WaitForAsync(_http, "virtualmachinesnapshots", "vms", "hooked", s => Str(s, "status", "phase") == "Failed");
        // updateSnapshotStatus (snapshot.go): status.error is the content's (the freeze error), the deadline adds
        // Failure=True "snapshot deadline exceeded", and an error present turns Progressing into "In error state".
        Assert.Contains("fsfreeze hook has failed with status 1", Str(failed, "status", "error", "message"));
        Assert.DoesNotContain("deadline", Str(failed, "status", "error", "message"));
        Assert.Equal(["Progressing=False/In error state", "Ready=False/Not ready", "Failure=True/snapshot deadline exceeded"], Conditions(failed));
        Assert.Null(failed!["status"]!["creationTime"]);
    }

    [Fact]
    public async Task ASnapshotWhoseVmNeverAppearsFailsAtItsDeadlineWithOnlyTheFailureCondition()
    {
        await CreateAsync(_http, "virtualmachinesnapshots", "vms", SnapshotJson("sourceless", "never-there", failureDeadline: "1m"));

        // snapshot.go updateSnapshotStatus: a snapshot past its deadline (vmSnapshotDeadlineExceeded, also with no
        // source) is Failed with Failure=True "snapshot deadline exceeded" and Progressing "Operation failed"; the
        // deadline never becomes status.error, and snapshotv1.Condition's zero lastProbeTime is written as null.
        JsonObject? failed = await WaitForAsync(_http, "virtualmachinesnapshots", "vms", "sourceless", s => Str(s, "status", "phase") == "Failed");
        Assert.Equal(["Progressing=False/Operation failed", "Ready=False/Not ready", "Failure=True/snapshot deadline exceeded"], Conditions(failed));
        JsonObject status = failed!["status"]!.AsObject();
        Assert.False(status.ContainsKey("error"));
        Assert.False(status.ContainsKey("sourceUID"));
        Assert.False(status.ContainsKey("creationTime"));
        Assert.False(status.ContainsKey("virtualMachineSnapshotContentName"));
        Assert.False(status["readyToUse"]!.GetValue<bool>());
        Assert.All(status["conditions"]!.AsArray(), c => Assert.True(c!.AsObject().TryGetPropertyValue("lastProbeTime", out JsonNode? probe) && probe == null));
    }

    [Fact]
    public async Task ASnapshotCreatedBeforeItsVmWaitsWithSourceDoesNotExist()
    {
        await CreateAsync(_http, "virtualmachinesnapshots", "vms", SnapshotJson("early", "later-vm"));
        JsonObject? waiting = await WaitForAsync(_http, "virtualmachinesnapshots", "vms", "early", s => s?["status"] != null);
        Assert.Equal("InProgress", Str(waiting, "status", "phase"));
        Assert.Equal(["Progressing=False/Source does not exist", "Ready=False/Not ready"], Conditions(waiting));
        Assert.Null(waiting!["status"]!["sourceUID"]);
        await TestVms.CreateAsync(_http, "later-vm", ["root"], runStrategy: "Halted");
        JsonObject? done = await WaitForAsync(_http, "virtualmachinesnapshots", "vms", "early", s => s?["status"]?["readyToUse"]?.GetValue<bool>() == true);
        Assert.Equal(Str(await GetAsync(_http, "virtualmachines", "vms", "later-vm"), "metadata", "uid"), Str(done, "status", "sourceUID"));
        Assert.Null(done!["status"]!["indications"]); // offline: no indications
    }

    [Fact]
    public async Task ADeletedVolumeSnapshotMakesTheSnapshotNotReadyWithMissing()
    {
        JsonObject created = await CreateAsync(_http, "virtualmachinesnapshots", "vms", SnapshotJson("fragile", "fedora-no-agent"));
        string? uid = Str(created, "metadata", "uid");
        JsonObject? ready = await WaitForAsync(_http, "virtualmachinesnapshots", "vms", "fragile", s => s?["status"]?["readyToUse"]?.GetValue<bool>() == true);
        Assert.Equal(["NoGuestAgent", "Online"], Strings(ready!["status"]!["indications"]));
        string vs = $"vmsnapshot-{uid}-volume-rootdisk";
        Assert.Equal(200, (await SendAsync(_http, HttpMethod.Delete, PathOf("volumesnapshots", "vms", vs))).Code);
        JsonObject? broken = await WaitForAsync(_http, "virtualmachinesnapshots", "vms", "fragile", s => s?["status"]?["readyToUse"]?.GetValue<bool>() == false);
        Assert.Equal("Succeeded", Str(broken, "status", "phase"));
        Assert.Equal($"VolumeSnapshots ({vs}) missing", Str(broken, "status", "error", "message"));
        Assert.Equal("Ready=False/Not ready", Condition(broken, "Ready"));
        JsonArray events = (await GetAsync(_http, "/api/v1/namespaces/vms/events?fieldSelector=reason%3DVolumeSnapshotMissing")).Body!["items"]!.AsArray();
        Assert.Equal($"VolumeSnapshot {vs} no longer exists", Str(Assert.Single(events), "message"));
    }

    [Fact]
    public async Task ACsiErrorIsCopiedAsVolumeSnapshotErrorAndAWrongClassIsReported()
    {
        _lab.Store.Update("storageclasses", null, "trident-svm", sc =>
            sc["metadata"]!["annotations"]!["lab.vmsnapshot.io/storage"] = "{\"snapshotError\": \"Failed to create snapshot: rpc error: code = Internal desc = quota exceeded\"}");
        JsonObject created = await CreateAsync(_http, "virtualmachinesnapshots", "vms", SnapshotJson("quota", "fedora-no-agent", failureDeadline: "2m"));
        JsonObject? erroring = await WaitForAsync(_http, "virtualmachinesnapshots", "vms", "quota", s => s?["status"]?["error"] != null);
        string vs = $"vmsnapshot-{Str(created, "metadata", "uid")}-volume-rootdisk";
        Assert.Equal($"VolumeSnapshot {vs} error: Failed to create snapshot: rpc error: code = Internal desc = quota exceeded", Str(erroring, "status", "error", "message"));
        Assert.Equal("Progressing=False/In error state", Condition(erroring, "Progressing"));

        // A VolumeSnapshot naming a class that does not exist never binds.
        await CreateAsync(_http, "volumesnapshots", "vms", """
            {"apiVersion":"snapshot.storage.k8s.io/v1","kind":"VolumeSnapshot","metadata":{"name":"manual"},
             "spec":{"source":{"persistentVolumeClaimName":"centos-stopped-rootdisk"},"volumeSnapshotClassName":"gold"}}
            """);
        JsonObject? wrong = await WaitForAsync(_http, "volumesnapshots", "vms", "manual", v => v?["status"]?["error"] != null);
        Assert.Equal("Failed to get snapshot class with error volumesnapshotclass.snapshot.storage.k8s.io \"gold\" not found", Str(wrong, "status", "error", "message"));
        Assert.Null(wrong!["status"]!["boundVolumeSnapshotContentName"]);
    }

    [Theory]
    [InlineData("{\"kind\":\"VirtualMachine\",\"name\":\"x\"}", "missing apiGroup")]
    [InlineData("{\"apiGroup\":\"apps\",\"kind\":\"VirtualMachine\",\"name\":\"x\"}", "invalid apiGroup")]
    [InlineData("{\"apiGroup\":\"kubevirt.io\",\"kind\":\"VirtualMachineInstance\",\"name\":\"x\"}", "invalid kind")]
    public async Task TheSnapshotWebhookRefusesBadSourcesAndStoresNothing(string source, string message)
    {
        string body = "{\"apiVersion\":\"snapshot.kubevirt.io/v1beta1\",\"kind\":\"VirtualMachineSnapshot\",\"metadata\":{\"name\":\"bad\"},\"spec\":{\"source\":" + source + "}}";
        (int Code, JsonNode? Body) r = await SendAsync(_http, HttpMethod.Post, PathOf("virtualmachinesnapshots", "vms"), body);
        AssertStatus(r, 422, "Invalid", $"admission webhook \"virtualmachinesnapshot-validator.snapshot.kubevirt.io\" denied the request: {message}");
        Assert.Null(_lab.Store.Get("vmsnapshot", "vms", "bad"));
    }

    [Fact]
    public async Task SnapshotSpecIsImmutable()
    {
        await CreateAsync(_http, "virtualmachinesnapshots", "vms", SnapshotJson("fixed", "centos-stopped"));
        (int Code, JsonNode? Body) r = await SendAsync(_http, HttpMethod.Patch, PathOf("virtualmachinesnapshots", "vms", "fixed"), "{\"spec\":{\"failureDeadline\":\"1m\"}}", "application/merge-patch+json");
        AssertStatus(r, 422, "Invalid", "admission webhook \"virtualmachinesnapshot-validator.snapshot.kubevirt.io\" denied the request: spec in immutable after creation");
        (int Code, JsonNode? Body) labels = await SendAsync(_http, HttpMethod.Patch, PathOf("virtualmachinesnapshots", "vms", "fixed"), "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}", "application/merge-patch+json");
        Assert.Equal(200, labels.Code);
    }
}
