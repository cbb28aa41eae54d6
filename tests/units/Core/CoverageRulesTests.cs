using System.Text.Json;
using VmSnapshot.Core.Snapshots;
using Xunit;

namespace VmSnapshot.Tests.Core;

/// <summary>
/// Which disks a snapshot holds, decided as KubeVirt's updateSnapshotSnapshotableVolumes does (snapshot.go): a volume
/// left out counts as missing data only when it is of a snapshottable kind (PVC, DataVolume, MemoryDump).
/// </summary>
public class CoverageRulesTests
{
    private static readonly string[] s_agent = { "GuestAgent", "Online" };

    /// <summary>A VM with a root PVC, a data DataVolume, cloud-init, a container disk and a ConfigMap.</summary>
    private const string Vm = """
        { "metadata": { "name": "web", "namespace": "vms" },
          "spec": { "template": { "spec": { "volumes": [
            { "name": "rootdisk", "persistentVolumeClaim": { "claimName": "web-root" } },
            { "name": "data", "dataVolume": { "name": "web-data" } },
            { "name": "cloudinitdisk", "cloudInitNoCloud": { "userData": "#cloud-config" } },
            { "name": "tools", "containerDisk": { "image": "quay.io/tools:1" } },
            { "name": "settings", "configMap": { "name": "web-settings" } } ] } } } }
        """;

    private static KubeVirtVMSnapshot Snapshot(string[] included, string[] excluded, string[]? indications = null,
        SnapshotPhase phase = SnapshotPhase.Succeeded)
    {
        string[] shown = indications ?? s_agent;
        return new KubeVirtVMSnapshot
        {
            Name = "s", Namespace = "vms", VMName = "web", Phase = phase, Indications = shown,
            IncludedVolumes = included, ExcludedVolumes = excluded,
            Coverage = CoverageRules.Derive(phase, shown, volumesReported: true, included, excluded),
        };
    }

    private static SnapshotCoverage Refined(KubeVirtVMSnapshot snapshot)
    {
        using JsonDocument vm = JsonDocument.Parse(Vm);
        return CoverageRules.Refine(snapshot, vm.RootElement);
    }

    [Fact]
    public void Spec_built_volumes_left_out_lose_nothing()
    {
        KubeVirtVMSnapshot snapshot = Snapshot(new[] { "rootdisk", "data" }, new[] { "cloudinitdisk", "tools", "settings" });
        Assert.Equal(SnapshotCoverage.Unknown, snapshot.Coverage);
        Assert.True(CoverageRules.NeedsVm(snapshot));
        Assert.Equal(SnapshotCoverage.AllDisks, Refined(snapshot));
    }

    [Fact]
    public void A_data_disk_left_out_before_KubeVirt_1_9_is_partial_once_the_VM_tells_its_kind()
    {
        KubeVirtVMSnapshot snapshot = Snapshot(new[] { "rootdisk" }, new[] { "data", "cloudinitdisk" });
        Assert.Equal(SnapshotCoverage.Unknown, snapshot.Coverage);
        Assert.Equal(SnapshotCoverage.Partial, Refined(snapshot));
    }

    [Fact]
    public void Every_disk_left_out_is_config_only()
    {
        KubeVirtVMSnapshot snapshot = Snapshot(Array.Empty<string>(), new[] { "rootdisk", "data", "cloudinitdisk" });
        Assert.Equal(SnapshotCoverage.ConfigOnly, Refined(snapshot));
        Assert.Equal(SnapshotCoverage.ConfigOnly,
            Snapshot(Array.Empty<string>(), new[] { "rootdisk" }, new[] { "PartialSnapshot" }).Coverage);
    }

    [Fact]
    public void A_volume_the_VM_no_longer_has_stays_unknown_never_all_disks()
    {
        KubeVirtVMSnapshot snapshot = Snapshot(new[] { "rootdisk" }, new[] { "cloudinitdisk", "removed-since" });
        Assert.Equal(SnapshotCoverage.Unknown, Refined(snapshot));
    }

    [Fact]
    public void The_clusters_indication_stands_whatever_the_VM_says_now()
    {
        KubeVirtVMSnapshot snapshot = Snapshot(new[] { "rootdisk" }, new[] { "cloudinitdisk" }, new[] { "GuestAgent", "Online", "PartialSnapshot" });
        Assert.Equal(SnapshotCoverage.Partial, snapshot.Coverage);
        Assert.False(CoverageRules.NeedsVm(snapshot));
        Assert.Equal(SnapshotCoverage.Partial, Refined(snapshot));
    }

    [Theory]
    [InlineData(SnapshotPhase.Pending)]
    [InlineData(SnapshotPhase.InProgress)]
    [InlineData(SnapshotPhase.Failed)]
    [InlineData(SnapshotPhase.Deleting)]
    public void Only_a_succeeded_snapshot_holds_anything(SnapshotPhase phase)
    {
        KubeVirtVMSnapshot snapshot = Snapshot(new[] { "rootdisk" }, new[] { "data" }, new[] { "PartialSnapshot" }, phase);
        Assert.Equal(SnapshotCoverage.Unknown, snapshot.Coverage);
        Assert.False(CoverageRules.NeedsVm(snapshot));
        Assert.Equal(SnapshotCoverage.Unknown, Refined(snapshot));
    }
}
