using System.Text.Json.Nodes;
using VmSnapshot.Lab;
using Xunit;
using static VmSnapshot.Tests.Controllers.ControllerTestSupport;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Controllers;

/// <summary>Indications, partial snapshots, Windows VSS, deletion policies and restoring a PVC from a VolumeSnapshot (reference §4.1, §5).</summary>
public sealed class SnapshotVariantsTests : IDisposable
{
    private readonly LabServer _lab = StartControlledLab();
    private readonly HttpClient _http;

    public SnapshotVariantsTests() => _http = Http(_lab);

    public void Dispose()
    {
        _http.Dispose();
        DisposeAndCheck(_lab);
    }

    private Task<JsonObject?> SnapshotReady(string name)
        => WaitForAsync(_http, "virtualmachinesnapshots", "vms", name, s => s?["status"]?["readyToUse"]?.GetValue<bool>() == true);

    [Fact]
    public async Task ADiskWithoutVolumeSnapshotClassIsExcludedAndMarksAPartialSnapshot()
    {
        JsonObject created = await CreateAsync(_http, "virtualmachinesnapshots", "vms", SnapshotJson("partial", "db-nfs-data"));
        JsonObject? done = await SnapshotReady("partial");
        Assert.Equal("Succeeded", Str(done, "status", "phase"));
        Assert.Equal(["rootdisk"], Strings(done!["status"]!["snapshotVolumes"]!["includedVolumes"]));
        Assert.Equal(["data"], Strings(done["status"]!["snapshotVolumes"]!["excludedVolumes"]));
        Assert.Contains("PartialSnapshot", Strings(done["status"]!["indications"]));
        JsonNode? partial = done["status"]!["sourceIndications"]!.AsArray().Single(i => Str(i, "indication") == "PartialSnapshot");
        Assert.Equal("Not all snapshotable volumes were included in the snapshot. Check status.snapshotVolumes for excluded volumes and VM VolumeSnapshotStatus for details.", Str(partial, "message"));
        JsonObject? content = await GetAsync(_http, "virtualmachinesnapshotcontents", "vms", $"vmsnapshot-content-{Str(created, "metadata", "uid")}");
        Assert.Single(content!["spec"]!["volumeBackups"]!.AsArray());
    }

    [Fact]
    public async Task APersistedHotplugVolumeIsSnapshottedAndAVmiOnlyHotplugIsNot()
    {
        JsonObject persisted = await CreateAsync(_http, "virtualmachinesnapshots", "vms", SnapshotJson("hp", "fedora-hotplug"));
        JsonObject vmiOnly = await CreateAsync(_http, "virtualmachinesnapshots", "vms", SnapshotJson("vmi-hp", "fedora-vmi-hotplug"));
        JsonObject? hp = await SnapshotReady("hp");
        Assert.Equal(["rootdisk", "datadisk", "scratch"], Strings(hp!["status"]!["snapshotVolumes"]!["includedVolumes"]));
        Assert.Null(hp["status"]!["snapshotVolumes"]!["excludedVolumes"]);
        JsonObject? content = await GetAsync(_http, "virtualmachinesnapshotcontents", "vms", $"vmsnapshot-content-{Str(persisted, "metadata", "uid")}");
        Assert.Equal(3, content!["spec"]!["volumeBackups"]!.AsArray().Count);

        JsonObject? only = await SnapshotReady("vmi-hp");
        Assert.Equal(["rootdisk"], Strings(only!["status"]!["snapshotVolumes"]!["includedVolumes"]));
        Assert.Equal(["GuestAgent", "Online"], Strings(only["status"]!["indications"]));
        JsonObject? vmiContent = await GetAsync(_http, "virtualmachinesnapshotcontents", "vms", $"vmsnapshot-content-{Str(vmiOnly, "metadata", "uid")}");
        Assert.DoesNotContain("debug-logs", vmiContent!["spec"]!["source"]!["virtualMachine"]!.ToJsonString());
    }

    [Fact]
    public async Task APausedVmIsSnapshottedWithoutFreezeAndMarkedPaused()
    {
        await using WatchRecorder vmis = new(_http, "virtualmachineinstances", "vms", "app-paused");
        await CreateAsync(_http, "virtualmachinesnapshots", "vms", SnapshotJson("paused", "app-paused"));
        JsonObject? done = await SnapshotReady("paused");
        Assert.Equal(["Online", "Paused"], Strings(done!["status"]!["indications"]));
        Assert.DoesNotContain(vmis.Versions, v => Str(v, "status", "fsFreezeStatus") == "frozen");
    }

    [Fact]
    public async Task WindowsVssReleasingWritesAfterTenSecondsGivesQuiesceTimeout()
    {
        // A slow SAN: cutting the VolumeSnapshots takes 15 s, longer than VSS holds writes.
        _lab.Store.Seed(JsonNode.Parse("""
            {"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"slow-san","annotations":{"lab.vmsnapshot.io/storage":"{\"snapshotCutDelay\": \"15s\"}"}},
             "provisioner":"csi.trident.netapp.io","reclaimPolicy":"Delete","volumeBindingMode":"Immediate"}
            """)!.AsObject());
        Assert.Equal(TimeSpan.FromSeconds(15), _lab.Controllers!.Storage.For("slow-san").SnapshotCutDelay);
        await TestVms.CreateAsync(_http, "win-slow", ["c", "d", "e"], "{\"os\":\"mswindows\"}", storageClass: "slow-san");
        await WaitForAsync(_http, "virtualmachineinstances", "vms", "win-slow", v => Condition(v, "AgentConnected") != null);
        await using WatchRecorder snaps = new(_http, "virtualmachinesnapshots", "vms", "vss");
        await CreateAsync(_http, "virtualmachinesnapshots", "vms", SnapshotJson("vss", "win-slow"));
        JsonObject? done = await SnapshotReady("vss");
        Assert.Equal(["GuestAgent", "Online", "QuiesceTimeout"], Strings(done!["status"]!["indications"]));
        Assert.Null(done["status"]!["error"]);
        JsonObject during = snaps.Versions.First(s => s["status"]?["error"] != null);
        Assert.Contains("fsfreeze is limited up to 10 seconds", Str(during, "status", "error", "message"));
        Assert.Equal("Progressing=False/In error state", Condition(during, "Progressing"));
        Assert.Null(Str(await GetAsync(_http, "virtualmachineinstances", "vms", "win-slow"), "status", "fsFreezeStatus"));
    }

    [Fact]
    public async Task DeletionPolicyDeleteRemovesEverythingAndRetainKeepsTheContent()
    {
        JsonObject deleted = await CreateAsync(_http, "virtualmachinesnapshots", "vms", SnapshotJson("gone", "rhel8-brainy-bear"));
        await SnapshotReady("gone");
        JsonObject kept = await CreateAsync(_http, "virtualmachinesnapshots", "vms", SnapshotJson("kept", "rhel8-brainy-bear", deletionPolicy: "Retain"));
        await SnapshotReady("kept");
        string? vsc = Str(await GetAsync(_http, "volumesnapshots", "vms", $"vmsnapshot-{Str(deleted, "metadata", "uid")}-volume-rootdisk"), "status", "boundVolumeSnapshotContentName");

        Assert.Equal(200, (await SendAsync(_http, HttpMethod.Delete, PathOf("virtualmachinesnapshots", "vms", "gone"))).Code);
        Assert.Equal(200, (await SendAsync(_http, HttpMethod.Delete, PathOf("virtualmachinesnapshots", "vms", "kept"))).Code);
        await WaitForAsync(_http, "virtualmachinesnapshots", "vms", "gone", s => s == null);
        await WaitForAsync(_http, "virtualmachinesnapshots", "vms", "kept", s => s == null);
        await WaitForAsync(_http, "virtualmachinesnapshotcontents", "vms", $"vmsnapshot-content-{Str(deleted, "metadata", "uid")}", c => c == null);
        await WaitForAsync(_http, "volumesnapshots", "vms", $"vmsnapshot-{Str(deleted, "metadata", "uid")}-volume-rootdisk", v => v == null);
        for (int i = 0; i < 200 && (await GetAsync(_http, "/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents/" + vsc)).Code != 404; i++) await Task.Delay(10);
        Assert.Equal(404, (await GetAsync(_http, "/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents/" + vsc)).Code);

        Assert.NotNull(await GetAsync(_http, "virtualmachinesnapshotcontents", "vms", $"vmsnapshot-content-{Str(kept, "metadata", "uid")}"));
        Assert.NotNull(await GetAsync(_http, "volumesnapshots", "vms", $"vmsnapshot-{Str(kept, "metadata", "uid")}-volume-rootdisk"));
    }

    [Fact]
    public async Task APvcFromAVolumeSnapshotBindsOnceTheSnapshotIsReady()
    {
        JsonObject snap = await CreateAsync(_http, "virtualmachinesnapshots", "vms", SnapshotJson("src", "win2k19-profound-gecko"));
        string vs = $"vmsnapshot-{Str(snap, "metadata", "uid")}-volume-datadisk";
        await CreateAsync(_http, "persistentvolumeclaims", "vms", """
            {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"copy"},
             "spec":{"accessModes":["ReadWriteOnce"],"storageClassName":"trident-svm","resources":{"requests":{"storage":"1Gi"}},
                     "dataSource":{"apiGroup":"snapshot.storage.k8s.io","kind":"VolumeSnapshot","name":"VS"}}}
            """.Replace("VS", vs));
        JsonObject? bound = await WaitForAsync(_http, "persistentvolumeclaims", "vms", "copy", p => Str(p, "status", "phase") == "Bound");
        Assert.Equal("200Gi", Str(bound, "status", "capacity", "storage")); // max(request, restoreSize)
        Assert.True((await GetAsync(_http, "volumesnapshots", "vms", vs))!["status"]!["readyToUse"]!.GetValue<bool>());
        JsonNode pv = (await GetAsync(_http, "/api/v1/persistentvolumes/" + Str(bound, "spec", "volumeName"))).Body!;
        Assert.Equal("copy", Str(pv, "spec", "claimRef", "name"));
    }
}
