using System.Text.Json.Nodes;
using VmSnapshot.Lab;
using Xunit;
using static VmSnapshot.Tests.Controllers.ControllerTestSupport;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Controllers;

/// <summary>VirtualMachineRestore (reference §4.2), mirroring KubeVirt's tests/storage/restore.go through HTTP.</summary>
public sealed class RestoreTests : IDisposable
{
    private readonly LabServer _lab = StartControlledLab();
    private readonly HttpClient _http;

    public RestoreTests() => _http = Http(_lab);

    public void Dispose()
    {
        _http.Dispose();
        DisposeAndCheck(_lab);
    }

    private async Task<string> ReadySnapshot(string name, string vm)
    {
        JsonObject created = await CreateAsync(_http, "virtualmachinesnapshots", "vms", SnapshotJson(name, vm));
        await WaitForAsync(_http, "virtualmachinesnapshots", "vms", name, s => s?["status"]?["readyToUse"]?.GetValue<bool>() == true);
        return Str(created, "metadata", "uid")!;
    }

    private static string RestoreJson(string name, string target, string snapshot, string? policy = null, string? volumePolicy = null, params string[] patches)
    {
        JsonObject spec = new()
        {
            ["target"] = new JsonObject { ["apiGroup"] = "kubevirt.io", ["kind"] = "VirtualMachine", ["name"] = target },
            ["virtualMachineSnapshotName"] = snapshot,
        };
        if (policy != null) spec["targetReadinessPolicy"] = policy;
        if (volumePolicy != null) spec["volumeRestorePolicy"] = volumePolicy;
        if (patches.Length > 0) spec["patches"] = new JsonArray(patches.Select(p => (JsonNode)JsonValue.Create(p)).ToArray());
        return new JsonObject
        {
            ["apiVersion"] = "snapshot.kubevirt.io/v1beta1", ["kind"] = "VirtualMachineRestore",
            ["metadata"] = new JsonObject { ["name"] = name }, ["spec"] = spec,
        }.ToJsonString();
    }

    private Task<JsonObject?> Complete(string name)
        => WaitForAsync(_http, "virtualmachinerestores", "vms", name, r => r?["status"]?["complete"]?.GetValue<bool>() == true);

    [Fact]
    public async Task RestoreWithStopTargetStopsTheVmAndRestoresItsDisk()
    {
        await ReadySnapshot("before", "rhel8-brainy-bear");
        await using WatchRecorder restores = new(_http, "virtualmachinerestores", "vms", "back");
        await using WatchRecorder vms = new(_http, "virtualmachines", "vms", "rhel8-brainy-bear");
        JsonObject created = await CreateAsync(_http, "virtualmachinerestores", "vms", RestoreJson("back", "rhel8-brainy-bear", "before", "StopTarget"));
        string? uid = Str(created, "metadata", "uid");

        JsonObject? done = await Complete("back");
        Assert.Equal(["Progressing=False/Operation complete", "Ready=True/Operation complete"], Conditions(done));
        Assert.NotNull(Str(done, "status", "restoreTime"));
        JsonNode? restored = done!["status"]!["restores"]!.AsArray().Single();
        Assert.Equal("rootdisk", Str(restored, "volumeName"));
        Assert.Equal($"restore-{uid}-rootdisk", Str(restored, "persistentVolumeClaim"));
        Assert.Equal("VirtualMachine", Str(done["metadata"]!["ownerReferences"]![0], "kind"));
        Assert.Equal("rhel8-brainy-bear", Str(done["metadata"]!["ownerReferences"]![0], "name"));

        List<string> reasons = restores.Versions.Select(r => Condition(r, "Progressing")).Where(c => c != null).Select(c => c!).Distinct().ToList();
        Assert.Equal("Progressing=True/Initializing VirtualMachineRestore", reasons[0]);
        Assert.Contains("Progressing=False/Automatically stopping restore target for restore operation", reasons);
        Assert.Contains("Progressing=True/Creating new PVCs", reasons);
        Assert.Contains("Progressing=True/Updating target spec", reasons);

        // The VM was stopped, locked while restoring, and now uses the restored claim.
        JsonObject? vm = await WaitForAsync(_http, "virtualmachines", "vms", "rhel8-brainy-bear", v => Str(v, "status", "printableStatus") == "Stopped");
        Assert.Equal("Halted", Str(vm, "spec", "runStrategy"));
        Assert.Null(vm!["status"]!["restoreInProgress"]);
        Assert.Contains(vms.Versions, v => Str(v, "status", "restoreInProgress") == "back");
        Assert.Equal($"back-{uid}", Str(vm, "metadata", "annotations", "restore.kubevirt.io/lastRestoreUID"));
        // The root disk came from a dataVolumeTemplate: it is restored as a pre-populated DataVolume of the new name,
        // and the DataVolume of the old template is deleted.
        JsonNode? rootVolume = vm["spec"]!["template"]!["spec"]!["volumes"]!.AsArray().Single(v => Str(v, "name") == "rootdisk");
        Assert.Equal($"restore-{uid}-rootdisk", Str(rootVolume, "dataVolume", "name"));
        Assert.Equal([$"restore-{uid}-rootdisk"], vm["spec"]!["dataVolumeTemplates"]!.AsArray().Select(t => Str(t, "metadata", "name")!).ToArray());
        JsonObject? dv = await GetAsync(_http, "datavolumes", "vms", $"restore-{uid}-rootdisk");
        Assert.Equal("true", Str(dv, "metadata", "annotations", "cdi.kubevirt.io/storage.prePopulated"));
        Assert.Equal("Succeeded", Str(dv, "status", "phase"));
        Assert.Equal(["rhel8-brainy-bear-rootdisk"], Strings(done["status"]!["deletedDataVolumes"]));
        await WaitForAsync(_http, "datavolumes", "vms", "rhel8-brainy-bear-rootdisk", d => d == null);
        Assert.Equal("Ready=False/VMINotExists", Condition(vm, "Ready"));

        JsonObject? pvc = await GetAsync(_http, "persistentvolumeclaims", "vms", $"restore-{uid}-rootdisk");
        Assert.Equal("Bound", Str(pvc, "status", "phase"));
        Assert.Equal("VolumeSnapshot", Str(pvc, "spec", "dataSource", "kind"));
        Assert.Equal("VolumeSnapshot", Str(pvc, "spec", "dataSourceRef", "kind"));
        Assert.Equal("rhel8-brainy-bear", Str(pvc, "metadata", "labels", "restore.kubevirt.io/source-vm-name"));
        Assert.Equal("back", Str(pvc, "metadata", "annotations", "restore.kubevirt.io/name"));
        Assert.Equal($"restore-{uid}-rootdisk", Str(pvc, "metadata", "annotations", "cdi.kubevirt.io/storage.populatedFor"));
        Assert.Equal("DataVolume", Str(pvc!["metadata"]!["ownerReferences"]![0], "kind"));
        Assert.Equal("rhel8-brainy-bear", Str(dv!["metadata"]!["ownerReferences"]![0], "name"));

        JsonArray events = (await GetAsync(_http, "/api/v1/namespaces/vms/events?fieldSelector=involvedObject.name%3Dback")).Body!["items"]!.AsArray();
        Assert.Contains(events, e => Str(e, "reason") == "VirtualMachineRestoreComplete" && Str(e, "message") == "Successfully completed VirtualMachineRestore back");
    }

    [Fact]
    public async Task RestoreToAnotherExistingVmIsRefused()
    {
        await ReadySnapshot("src", "rhel8-brainy-bear");
        await CreateAsync(_http, "virtualmachinerestores", "vms", RestoreJson("wrong", "centos-stopped", "src"));
        JsonObject? refused = await WaitForAsync(_http, "virtualmachinerestores", "vms", "wrong",
            r => Condition(r, "Ready") == "Ready=False/restore source and restore target are different but restore target already exists");
        Assert.Equal("Progressing=False/restore source and restore target are different but restore target already exists", Condition(refused, "Progressing"));
        Assert.False(refused!["status"]!["complete"]!.GetValue<bool>());
        Assert.Null(Condition(refused, "Failure")); // a retrying error, not a failure
        JsonArray events = (await GetAsync(_http, "/api/v1/namespaces/vms/events?fieldSelector=reason%3DVirtualMachineRestoreError")).Body!["items"]!.AsArray();
        Assert.Contains(events, e => Str(e, "message") == "VirtualMachineRestore encountered error restore source and restore target are different but restore target already exists");
    }

    [Fact]
    public async Task RestoreToANewVmCreatesItHaltedWithPatchesAndPrefixedClaims()
    {
        await ReadySnapshot("src", "rhel8-brainy-bear");
        JsonObject? sourceClaim = await GetAsync(_http, "persistentvolumeclaims", "vms", "rhel8-brainy-bear-rootdisk");
        JsonObject? sourceVolume = await GetAsync(_http, "datavolumes", "vms", "rhel8-brainy-bear-rootdisk");
        JsonObject created = await CreateAsync(_http, "virtualmachinerestores", "vms", RestoreJson("to-new", "rhel8-copy", "src", volumePolicy: "PrefixTargetName",
            patches: "{\"op\":\"replace\",\"path\":\"/spec/template/spec/domain/devices/interfaces/0/macAddress\",\"value\":\"DE-AD-00-00-BE-AF\"}"));
        Assert.Equal("WaitGracePeriod", Str(created, "spec", "targetReadinessPolicy")); // the CRD default
        JsonObject? done = await Complete("to-new");
        Assert.Equal(2, done!["status"]!["conditions"]!.AsArray().Count);
        JsonObject? vm = await GetAsync(_http, "virtualmachines", "vms", "rhel8-copy");
        Assert.Equal("Halted", Str(vm, "spec", "runStrategy"));
        Assert.Equal("DE-AD-00-00-BE-AF", Str(vm!["spec"]!["template"]!["spec"]!["domain"]!["devices"]!["interfaces"]![0], "macAddress"));
        Assert.Equal("rhel8-copy-rootdisk", Str(vm["spec"]!["template"]!["spec"]!["volumes"]![0], "dataVolume", "name"));
        Assert.Equal("rhel8-brainy-bear", Str(vm, "metadata", "labels", "app"));
        Assert.Equal(Str(vm, "metadata", "uid"), Str(done["metadata"]!["ownerReferences"]![0], "uid"));
        await WaitForAsync(_http, "virtualmachines", "vms", "rhel8-copy", v => Str(v, "status", "printableStatus") == "Stopped");
        // The source keeps running and keeps its disk: the same claim and DataVolume objects, unchanged and still its own.
        Assert.Equal("Running", Str(await GetAsync(_http, "virtualmachines", "vms", "rhel8-brainy-bear"), "status", "printableStatus"));
        JsonObject? claimAfter = await GetAsync(_http, "persistentvolumeclaims", "vms", "rhel8-brainy-bear-rootdisk");
        Assert.Equal(Str(sourceClaim, "metadata", "uid"), Str(claimAfter, "metadata", "uid"));
        Assert.Equal(Str(sourceClaim, "metadata", "resourceVersion"), Str(claimAfter, "metadata", "resourceVersion"));
        JsonObject? volumeAfter = await GetAsync(_http, "datavolumes", "vms", "rhel8-brainy-bear-rootdisk");
        Assert.Equal(Str(sourceVolume, "metadata", "uid"), Str(volumeAfter, "metadata", "uid"));
        Assert.Equal(Str(sourceVolume!["metadata"]!["ownerReferences"]![0], "uid"), Str(volumeAfter!["metadata"]!["ownerReferences"]![0], "uid"));
        Assert.NotEqual(Str(sourceClaim, "metadata", "uid"), Str(await GetAsync(_http, "persistentvolumeclaims", "vms", "rhel8-copy-rootdisk"), "metadata", "uid"));
    }

    [Fact]
    public async Task TheDefaultPolicyWaitsForTheUserToStopTheVmAndFailImmediateFails()
    {
        await ReadySnapshot("src", "fedora-no-agent");
        await CreateAsync(_http, "virtualmachinerestores", "vms", RestoreJson("now", "fedora-no-agent", "src", "FailImmediate"));
        JsonObject? failed = await WaitForAsync(_http, "virtualmachinerestores", "vms", "now", r => Condition(r, "Failure") != null);
        Assert.Equal(["Progressing=False/Restore target VMI must be powered off before restore operation", "Ready=False/Restore target VMI must be powered off before restore operation",
            "Failure=True/Restore target VMI must be powered off before restore operation"], Conditions(failed));

        await CreateAsync(_http, "virtualmachinerestores", "vms", RestoreJson("later", "fedora-no-agent", "src"));
        await WaitForAsync(_http, "virtualmachinerestores", "vms", "later", r => Condition(r, "Progressing") ==
            "Progressing=False/Waiting for target VM to be powered off. Please stop the restore target to proceed with restore, or the operation will fail after 5m0s");
        JsonArray events = (await GetAsync(_http, "/api/v1/namespaces/vms/events?fieldSelector=reason%3DRestoreTargetNotReady")).Body!["items"]!.AsArray();
        Assert.Contains(events, e => Str(e, "involvedObject", "name") == "later");
        Assert.Equal(202, (await SendAsync(_http, HttpMethod.Put, "/apis/subresources.kubevirt.io/v1/namespaces/vms/virtualmachines/fedora-no-agent/stop", "{}")).Code);
        await Complete("later");
    }

    [Fact]
    public async Task WhileRestoringTheRunStrategyIsLocked()
    {
        await ReadySnapshot("src", "centos-stopped");
        // PVCs of this class take an hour to bind: the restore stays at "Creating new PVCs" holding the lock.
        _lab.Store.Update("storageclasses", null, "trident-svm", sc => sc["metadata"]!["annotations"]!["lab.vmsnapshot.io/storage"] = "{\"bindDelay\": \"1h\"}");
        await CreateAsync(_http, "virtualmachinerestores", "vms", RestoreJson("slow", "centos-stopped", "src"));
        await WaitForAsync(_http, "virtualmachines", "vms", "centos-stopped", v => Str(v, "status", "restoreInProgress") == "slow");
        (int Code, JsonNode? Body) start = await SendAsync(_http, HttpMethod.Put, "/apis/subresources.kubevirt.io/v1/namespaces/vms/virtualmachines/centos-stopped/start", "{}");
        Assert.Contains("Cannot update VM runStrategy until restore \"slow\" completes", Str(start.Body, "message"));
        (int Code, JsonNode? Body) patch = await SendAsync(_http, HttpMethod.Patch, PathOf("virtualmachines", "vms", "centos-stopped"), "{\"spec\":{\"runStrategy\":\"Always\"}}", "application/merge-patch+json");
        AssertStatus(patch, 422, "Invalid", "admission webhook \"virtualmachine-validator.kubevirt.io\" denied the request: Cannot update VM runStrategy until restore \"slow\" completes");
        Assert.Equal("Progressing=True/Creating new PVCs", Condition(await GetAsync(_http, "virtualmachinerestores", "vms", "slow"), "Progressing"));

        // Deleting the restore releases the lock.
        Assert.Equal(200, (await SendAsync(_http, HttpMethod.Delete, PathOf("virtualmachinerestores", "vms", "slow"))).Code);
        await WaitForAsync(_http, "virtualmachines", "vms", "centos-stopped", v => v!["status"]!["restoreInProgress"] == null);
    }

    [Theory]
    [InlineData("{\"op\":\"replace\",\"path\":\"/spec/template/spec/domain/devices/interfaces/0/macAddress\",\"value\":\"02:00:00:00:00:01\"}",
        "patch format is not valid - one \":\" expected in a single key-value json patch: \"value\":\"02:00:00:00:00:01\"")]
    [InlineData("{\"op\":\"replace\",\"path\":\"/metadata/name\",\"value\":\"other\"}",
        "patching is valid only for elements under /spec/ only: \"path\":\"/metadata/name\"")]
    public async Task TheRestoreWebhookValidatesPatchesLikeKubeVirt(string patch, string message)
    {
        (int Code, JsonNode? Body) r = await SendAsync(_http, HttpMethod.Post, PathOf("virtualmachinerestores", "vms"), RestoreJson("bad", "new-vm", "any", patches: patch));
        AssertStatus(r, 422, "Invalid", $"admission webhook \"virtualmachinerestore-validator.snapshot.kubevirt.io\" denied the request: {message}");
        Assert.Null(_lab.Store.Get("vmrestore", "vms", "bad"));
    }

    [Fact]
    public async Task TheRestoreWebhookRefusesBadPoliciesAndASecondRestoreOfTheSameTarget()
    {
        AssertStatus(await SendAsync(_http, HttpMethod.Post, PathOf("virtualmachinerestores", "vms"), RestoreJson("p", "new-vm", "any", volumePolicy: "Shuffle")), 422, "Invalid",
            "admission webhook \"virtualmachinerestore-validator.snapshot.kubevirt.io\" denied the request: volume restore policy \"Shuffle\" doesn't exist");
        await CreateAsync(_http, "virtualmachinerestores", "vms", RestoreJson("first", "new-vm", "missing-snapshot"));
        AssertStatus(await SendAsync(_http, HttpMethod.Post, PathOf("virtualmachinerestores", "vms"), RestoreJson("second", "new-vm", "missing-snapshot")), 422, "Invalid",
            "admission webhook \"virtualmachinerestore-validator.snapshot.kubevirt.io\" denied the request: VirtualMachineRestore \"first\" in progress");
        JsonObject? waiting = await WaitForAsync(_http, "virtualmachinerestores", "vms", "first", r => Condition(r, "Progressing")?.Contains("does not exist") == true);
        Assert.Equal("Progressing=False/VMSnapshot vms/missing-snapshot does not exist", Condition(waiting, "Progressing"));
        AssertStatus(await SendAsync(_http, HttpMethod.Patch, PathOf("virtualmachinerestores", "vms", "first"), "{\"spec\":{\"virtualMachineSnapshotName\":\"x\"}}", "application/merge-patch+json"),
            422, "Invalid", "admission webhook \"virtualmachinerestore-validator.snapshot.kubevirt.io\" denied the request: spec in immutable after creation");
    }
}
