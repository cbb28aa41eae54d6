using System.Text.Json.Nodes;
using VmSnapshot.Lab;
using Xunit;
using static VmSnapshot.Tests.Controllers.ControllerTestSupport;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Controllers;

/// <summary>Indications, partial snapshots, Windows VSS, deletion policies and restoring a PVC from a VolumeSnapshot (reference §4.1, §5).</summary>
public sealed class SnapshotVariantsTests : IDisposable
{
    private readonly LabServer lab = StartControlledLab();
    private readonly HttpClient http;

    public SnapshotVariantsTests() => http = Http(lab);

    public void Dispose()
    {
        http.Dispose();
        DisposeAndCheck(lab);
    }

    private Task<JsonObject?> SnapshotReady(string name)
        => WaitForAsync(http, "virtualmachinesnapshots", "vms", name, s => s?["status"]?["readyToUse"]?.GetValue<bool>() == true);

    [Fact]
    public async Task ADiskWithoutVolumeSnapshotClassIsExcludedAndMarksAPartialSnapshot()
    {
        var created = await CreateAsync(http, "virtualmachinesnapshots", "vms", SnapshotJson("partial", "db-nfs-data"));
        var done = await SnapshotReady("partial");
        Assert.Equal("Succeeded", Str(done, "status", "phase"));
        Assert.Equal(["rootdisk"], Strings(done!["status"]!["snapshotVolumes"]!["includedVolumes"]));
        Assert.Equal(["data"], Strings(done["status"]!["snapshotVolumes"]!["excludedVolumes"]));
        Assert.Contains("PartialSnapshot", Strings(done["status"]!["indications"]));
        var partial = done["status"]!["sourceIndications"]!.AsArray().Single(i => Str(i, "indication") == "PartialSnapshot");
        Assert.Equal("Not all snapshotable volumes were included in the snapshot. Check status.snapshotVolumes for excluded volumes and VM VolumeSnapshotStatus for details.", Str(partial, "message"));
        var content = await GetAsync(http, "virtualmachinesnapshotcontents", "vms", $"vmsnapshot-content-{Str(created, "metadata", "uid")}");
        Assert.Single(content!["spec"]!["volumeBackups"]!.AsArray());
    }

    [Fact]
    public async Task APersistedHotplugVolumeIsSnapshottedAndAVmiOnlyHotplugIsNot()
    {
        var persisted = await CreateAsync(http, "virtualmachinesnapshots", "vms", SnapshotJson("hp", "fedora-hotplug"));
        var vmiOnly = await CreateAsync(http, "virtualmachinesnapshots", "vms", SnapshotJson("vmi-hp", "fedora-vmi-hotplug"));
        var hp = await SnapshotReady("hp");
        Assert.Equal(["rootdisk", "datadisk", "scratch"], Strings(hp!["status"]!["snapshotVolumes"]!["includedVolumes"]));
        Assert.Null(hp["status"]!["snapshotVolumes"]!["excludedVolumes"]);
        var content = await GetAsync(http, "virtualmachinesnapshotcontents", "vms", $"vmsnapshot-content-{Str(persisted, "metadata", "uid")}");
        Assert.Equal(3, content!["spec"]!["volumeBackups"]!.AsArray().Count);

        var only = await SnapshotReady("vmi-hp");
        Assert.Equal(["rootdisk"], Strings(only!["status"]!["snapshotVolumes"]!["includedVolumes"]));
        Assert.Equal(["GuestAgent", "Online"], Strings(only["status"]!["indications"]));
        var vmiContent = await GetAsync(http, "virtualmachinesnapshotcontents", "vms", $"vmsnapshot-content-{Str(vmiOnly, "metadata", "uid")}");
        Assert.DoesNotContain("debug-logs", vmiContent!["spec"]!["source"]!["virtualMachine"]!.ToJsonString());
    }

    [Fact]
    public async Task APausedVmIsSnapshottedWithoutFreezeAndMarkedPaused()
    {
        await using var vmis = new WatchRecorder(http, "virtualmachineinstances", "vms", "app-paused");
        await CreateAsync(http, "virtualmachinesnapshots", "vms", SnapshotJson("paused", "app-paused"));
        var done = await SnapshotReady("paused");
        Assert.Equal(["Online", "Paused"], Strings(done!["status"]!["indications"]));
        Assert.DoesNotContain(vmis.Versions, v => Str(v, "status", "fsFreezeStatus") == "frozen");
    }

    [Fact]
    public async Task WindowsVssReleasingWritesAfterTenSecondsGivesQuiesceTimeout()
    {
        // A slow SAN: cutting the VolumeSnapshots takes 15 s, longer than VSS holds writes.
        lab.Store.Seed(JsonNode.Parse("""
            {"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"slow-san","annotations":{"lab.vmsnapshot.io/storage":"{\"snapshotCutDelay\": \"15s\"}"}},
             "provisioner":"csi.trident.netapp.io","reclaimPolicy":"Delete","volumeBindingMode":"Immediate"}
            """)!.AsObject());
        Assert.Equal(TimeSpan.FromSeconds(15), lab.Controllers!.Storage.For("slow-san").SnapshotCutDelay);
        await TestVms.CreateAsync(http, "win-slow", ["c", "d", "e"], "{\"os\":\"mswindows\"}", storageClass: "slow-san");
        await WaitForAsync(http, "virtualmachineinstances", "vms", "win-slow", v => Condition(v, "AgentConnected") != null);
        await using var snaps = new WatchRecorder(http, "virtualmachinesnapshots", "vms", "vss");
        await CreateAsync(http, "virtualmachinesnapshots", "vms", SnapshotJson("vss", "win-slow"));
        var done = await SnapshotReady("vss");
        Assert.Equal(["GuestAgent", "Online", "QuiesceTimeout"], Strings(done!["status"]!["indications"]));
        Assert.Null(done["status"]!["error"]);
        var during = snaps.Versions.First(s => s["status"]?["error"] != null);
        Assert.Contains("fsfreeze is limited up to 10 seconds", Str(during, "status", "error", "message"));
        Assert.Equal("Progressing=False/In error state", Condition(during, "Progressing"));
        Assert.Null(Str(await GetAsync(http, "virtualmachineinstances", "vms", "win-slow"), "status", "fsFreezeStatus"));
    }

    [Fact]
    public async Task DeletionPolicyDeleteRemovesEverythingAndRetainKeepsTheContent()
    {
        var deleted = await CreateAsync(http, "virtualmachinesnapshots", "vms", SnapshotJson("gone", "rhel8-brainy-bear"));
        await SnapshotReady("gone");
        var kept = await CreateAsync(http, "virtualmachinesnapshots", "vms", SnapshotJson("kept", "rhel8-brainy-bear", deletionPolicy: "Retain"));
        await SnapshotReady("kept");
        var vsc = Str(await GetAsync(http, "volumesnapshots", "vms", $"vmsnapshot-{Str(deleted, "metadata", "uid")}-volume-rootdisk"), "status", "boundVolumeSnapshotContentName");

        Assert.Equal(200, (await SendAsync(http, HttpMethod.Delete, PathOf("virtualmachinesnapshots", "vms", "gone"))).Code);
        Assert.Equal(200, (await SendAsync(http, HttpMethod.Delete, PathOf("virtualmachinesnapshots", "vms", "kept"))).Code);
        await WaitForAsync(http, "virtualmachinesnapshots", "vms", "gone", s => s == null);
        await WaitForAsync(http, "virtualmachinesnapshots", "vms", "kept", s => s == null);
        await WaitForAsync(http, "virtualmachinesnapshotcontents", "vms", $"vmsnapshot-content-{Str(deleted, "metadata", "uid")}", c => c == null);
        await WaitForAsync(http, "volumesnapshots", "vms", $"vmsnapshot-{Str(deleted, "metadata", "uid")}-volume-rootdisk", v => v == null);
        for (var i = 0; i < 200 && (await GetAsync(http, "/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents/" + vsc)).Code != 404; i++) await Task.Delay(10);
        Assert.Equal(404, (await GetAsync(http, "/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents/" + vsc)).Code);

        Assert.NotNull(await GetAsync(http, "virtualmachinesnapshotcontents", "vms", $"vmsnapshot-content-{Str(kept, "metadata", "uid")}"));
        Assert.NotNull(await GetAsync(http, "volumesnapshots", "vms", $"vmsnapshot-{Str(kept, "metadata", "uid")}-volume-rootdisk"));
    }

    [Fact]
    public async Task APvcFromAVolumeSnapshotBindsOnceTheSnapshotIsReady()
    {
        var snap = await CreateAsync(http, "virtualmachinesnapshots", "vms", SnapshotJson("src", "win2k19-profound-gecko"));
        var vs = $"vmsnapshot-{Str(snap, "metadata", "uid")}-volume-datadisk";
        await CreateAsync(http, "persistentvolumeclaims", "vms", """
            {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"copy"},
             "spec":{"accessModes":["ReadWriteOnce"],"storageClassName":"trident-svm","resources":{"requests":{"storage":"1Gi"}},
                     "dataSource":{"apiGroup":"snapshot.storage.k8s.io","kind":"VolumeSnapshot","name":"VS"}}}
            """.Replace("VS", vs));
        var bound = await WaitForAsync(http, "persistentvolumeclaims", "vms", "copy", p => Str(p, "status", "phase") == "Bound");
        Assert.Equal("200Gi", Str(bound, "status", "capacity", "storage")); // max(request, restoreSize)
        Assert.True((await GetAsync(http, "volumesnapshots", "vms", vs))!["status"]!["readyToUse"]!.GetValue<bool>());
        var pv = (await GetAsync(http, "/api/v1/persistentvolumes/" + Str(bound, "spec", "volumeName"))).Body!;
        Assert.Equal("copy", Str(pv, "spec", "claimRef", "name"));
    }
}
