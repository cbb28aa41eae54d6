using System.Text.Json.Nodes;
using VmSnapshot.Lab;
using Xunit;
using static VmSnapshot.Tests.Controllers.ControllerTestSupport;

namespace VmSnapshot.Tests.Controllers;

/// <summary>The VirtualMachineSnapshot happy path of reference §4.1, observed through HTTP watches on the default scenario.</summary>
public sealed class SnapshotLifecycleTests : IDisposable
{
    private readonly LabServer _lab = StartControlledLab();
    private readonly HttpClient _http;

    public SnapshotLifecycleTests() => _http = Lab.LabTestSupport.Http(_lab);

    public void Dispose()
    {
        _http.Dispose();
        DisposeAndCheck(_lab);
    }

    [Fact]
    public async Task OnlineSnapshotWithAgentLocksFreezesCutsThawsUnlocksAndBecomesReady()
    {
        await using WatchRecorder snaps = new(_http, "virtualmachinesnapshots", "vms", "snap1");
        await using WatchRecorder vms = new(_http, "virtualmachines", "vms", "rhel8-brainy-bear");
        await using WatchRecorder vmis = new(_http, "virtualmachineinstances", "vms", "rhel8-brainy-bear");
        JsonObject created = await CreateAsync(_http, "virtualmachinesnapshots", "vms", SnapshotJson("snap1", "rhel8-brainy-bear"));
        string uid = Str(created, "metadata", "uid")!;

        JsonObject? done = await WaitForAsync(_http, "virtualmachinesnapshots", "vms", "snap1", s => s?["status"]?["readyToUse"]?.GetValue<bool>() == true);
        Assert.Equal("Succeeded", Str(done, "status", "phase"));
        Assert.Equal(["Progressing=False/Operation complete", "Ready=True/Ready"], Conditions(done));
        Assert.Equal($"vmsnapshot-content-{uid}", Str(done, "status", "virtualMachineSnapshotContentName"));
        Assert.Equal(["GuestAgent", "Online"], Strings(done!["status"]!["indications"]));
        Assert.Equal("Guest agent was active and attempted to quiesce the filesystem for application consistency.", Str(done["status"]!["sourceIndications"]![0], "message"));
        Assert.Equal(["rootdisk"], Strings(done["status"]!["snapshotVolumes"]!["includedVolumes"]));
        Assert.Equal(["cloudinitdisk"], Strings(done["status"]!["snapshotVolumes"]!["excludedVolumes"]));
        Assert.Contains("snapshot.kubevirt.io/vmsnapshot-protection", Strings(done["metadata"]!["finalizers"]));
        Assert.NotNull(Str(done, "status", "creationTime"));

        // The observable order: unlocked, locked, Succeeded (not yet ready), ready.
        IReadOnlyList<JsonObject> versions = snaps.Versions;
        List<string?> reasons = versions.Select(v => Condition(v, "Progressing")).Where(c => c != null).Distinct().ToList();
        Assert.Equal(["Progressing=False/Source not locked", "Progressing=True/Source locked and operation in progress", "Progressing=False/Operation complete"], reasons);
        JsonObject firstSucceeded = versions.First(v => Str(v, "status", "phase") == "Succeeded");
        Assert.False(firstSucceeded["status"]!["readyToUse"]!.GetValue<bool>());
        Assert.Equal("Ready=False/Not ready", Condition(firstSucceeded, "Ready"));

        // The VolumeSnapshot and content, bound and ready.
        JsonObject? vs = await GetAsync(_http, "volumesnapshots", "vms", $"vmsnapshot-{uid}-volume-rootdisk");
        Assert.True(vs!["status"]!["readyToUse"]!.GetValue<bool>());
        Assert.Equal("csi-snapclass", Str(vs, "spec", "volumeSnapshotClassName"));
        Assert.Equal("rhel8-brainy-bear", Str(vs, "metadata", "labels", "snapshot.kubevirt.io/source-vm-name"));
        Assert.Equal($"vmsnapshot-content-{uid}", Str(vs["metadata"]!["ownerReferences"]![0], "name"));
        JsonNode vsc = (await Lab.LabTestSupport.GetAsync(_http, "/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents/" + Str(vs, "status", "boundVolumeSnapshotContentName"))).Body!;
        Assert.Equal($"vmsnapshot-{uid}-volume-rootdisk", Str(vsc, "spec", "volumeSnapshotRef", "name"));
        Assert.True(vsc["status"]!["readyToUse"]!.GetValue<bool>());
        JsonObject? content = await GetAsync(_http, "virtualmachinesnapshotcontents", "vms", $"vmsnapshot-content-{uid}");
        Assert.Equal("rootdisk", Str(content!["spec"]!["volumeBackups"]![0], "volumeName"));
        Assert.Equal("snap1", Str(content, "spec", "virtualMachineSnapshotName"));

        // The VM was locked (status and finalizer) and is unlocked again.
        Assert.Contains(vms.Versions, v => Str(v, "status", "snapshotInProgress") == "snap1" && Strings(v["metadata"]!["finalizers"]).Contains("snapshot.kubevirt.io/snapshot-source-protection"));
        JsonObject? vm = await WaitForAsync(_http, "virtualmachines", "vms", "rhel8-brainy-bear", v => v?["status"]?["snapshotInProgress"] == null);
        Assert.DoesNotContain("snapshot.kubevirt.io/snapshot-source-protection", Strings(vm!["metadata"]!["finalizers"]));

        // The guest was frozen while the VolumeSnapshot was cut, and thawed afterwards.
        Assert.Contains(vmis.Versions, v => Str(v, "status", "fsFreezeStatus") == "frozen");
        Assert.Null(Str(await GetAsync(_http, "virtualmachineinstances", "vms", "rhel8-brainy-bear"), "status", "fsFreezeStatus"));

        // Events with the controller's reasons and messages.
        JsonArray events = (await Lab.LabTestSupport.GetAsync(_http, "/api/v1/namespaces/vms/events")).Body!["items"]!.AsArray();
        Assert.Contains(events, e => Str(e, "reason") == "SuccessfulVirtualMachineSnapshotContentCreate" && Str(e, "message") == $"Successfully created VirtualMachineSnapshotContent vmsnapshot-content-{uid}" && Str(e, "involvedObject", "name") == "snap1");
        Assert.Contains(events, e => Str(e, "reason") == "SuccessfulVolumeSnapshotCreate" && Str(e, "message") == $"Successfully created VolumeSnapshot vmsnapshot-{uid}-volume-rootdisk");
    }
}
