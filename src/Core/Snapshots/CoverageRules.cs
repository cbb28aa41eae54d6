using System.Text.Json;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Snapshots;

/// <summary>
/// Decides which disks a snapshot holds, the way KubeVirt does (pkg/storage/snapshot/snapshot.go,
/// updateSnapshotSnapshotableVolumes): status.snapshotVolumes lists every volume of the VM as included or excluded,
/// and an excluded volume of a snapshottable kind (isVolumeSnapshottable: PVC, DataVolume, MemoryDump) means data is
/// missing, which KubeVirt 1.9+ also reports as the PartialSnapshot indication. Cloud-init and other volumes built
/// from the spec are always excluded and lose nothing. Before 1.9 there is no indication, and the snapshot alone does
/// not say what kind an excluded volume is: then the VM's spec must tell (<see cref="Refine"/>), else it is Unknown,
/// never AllDisks.
/// </summary>
public static class CoverageRules
{
    public const string PartialSnapshotIndication = "PartialSnapshot";

    /// <summary>Volume sources KubeVirt snapshots (isVolumeSnapshottable in snapshot.go).</summary>
    private static readonly string[] s_snapshottable = { "persistentVolumeClaim", "dataVolume", "memoryDump" };

    /// <summary>From the snapshot object alone.</summary>
    /// <param name="phase">status.phase: only a succeeded snapshot holds anything.</param>
    /// <param name="indications">status.indications (PartialSnapshot decides on KubeVirt 1.9+).</param>
    /// <param name="volumesReported">status.snapshotVolumes is present (KubeVirt writes it when the snapshot succeeds).</param>
    /// <param name="included">status.snapshotVolumes.includedVolumes.</param>
    /// <param name="excluded">status.snapshotVolumes.excludedVolumes.</param>
    /// <param name="holdsData">
    /// For an excluded volume's name: true when its data would be missing (a snapshottable kind), false when nothing
    /// is lost, null when not known. Without it every excluded volume is of unknown kind.
    /// </param>
    public static SnapshotCoverage Derive(SnapshotPhase phase, IReadOnlyCollection<string> indications,
        bool volumesReported, IReadOnlyCollection<string> included, IReadOnlyCollection<string> excluded,
        Func<string, bool?>? holdsData = null)
    {
        if (phase != SnapshotPhase.Succeeded)
        {
            return SnapshotCoverage.Unknown;
        }

        // Config only needs the lists to show that nothing was included; without them the indication says partial.
        SnapshotCoverage missing = volumesReported && included.Count == 0 ? SnapshotCoverage.ConfigOnly : SnapshotCoverage.Partial;
        if (indications.Contains(PartialSnapshotIndication, StringComparer.Ordinal))
        {
            return missing;
        }

        if (!volumesReported)
        {
            return SnapshotCoverage.Unknown;
        }

        if (excluded.Count == 0)
        {
            return SnapshotCoverage.AllDisks;
        }

        bool?[] kinds = excluded.Select(name => holdsData?.Invoke(name)).ToArray();
        if (kinds.Any(k => k == true))
        {
            return missing;
        }

        return kinds.All(k => k == false) ? SnapshotCoverage.AllDisks : SnapshotCoverage.Unknown;
    }

    /// <summary>
    /// The snapshot's coverage once the VM's spec tells the kind of each excluded volume. A volume the spec no
    /// longer has stays unknown. The snapshot's own verdict stands when it is already decided.
    /// </summary>
    public static SnapshotCoverage Refine(KubeVirtVMSnapshot snapshot, JsonElement vm) =>
        NeedsVm(snapshot) ? FromVm(snapshot, vm) : snapshot.Coverage;

    /// <summary>
    /// Derives the coverage of a snapshot's volume lists and indications with the VM's spec telling the kind of each
    /// excluded volume, whatever <see cref="KubeVirtVMSnapshot.Coverage"/> says (objects built by hand leave it Unknown).
    /// </summary>
    public static SnapshotCoverage FromVm(KubeVirtVMSnapshot snapshot, JsonElement vm)
    {
        Func<string, bool?> holdsData = DataKinds(vm);
        bool reported = snapshot.IncludedVolumes.Length + snapshot.ExcludedVolumes.Length > 0;
        return Derive(snapshot.Phase, snapshot.Indications, reported, snapshot.IncludedVolumes, snapshot.ExcludedVolumes,
            holdsData);
    }

    /// <summary>The excluded volumes that the VM's spec shows to be disks holding data.</summary>
    public static string[] DataLeftOut(KubeVirtVMSnapshot snapshot, JsonElement vm)
    {
        Func<string, bool?> holdsData = DataKinds(vm);
        return snapshot.ExcludedVolumes.Where(name => holdsData(name) == true).ToArray();
    }

    /// <summary>Per volume name of the VM's spec: snapshottable (data) or not; null for a name the spec lacks.</summary>
    private static Func<string, bool?> DataKinds(JsonElement vm)
    {
        Dictionary<string, bool> kinds = new(StringComparer.Ordinal);
        foreach (JsonElement volume in vm.Child("spec").Child("template").Child("spec").Child("volumes").EnumerateArraySafe())
        {
            if (volume.String("name") is { } name)
            {
                kinds.TryAdd(name, IsSnapshottable(volume));
            }
        }

        return name => kinds.TryGetValue(name, out bool data) ? data : null;
    }

    /// <summary>True when only the VM's spec can decide: a succeeded snapshot left volumes out and said no more.</summary>
    public static bool NeedsVm(KubeVirtVMSnapshot snapshot) =>
        snapshot.Coverage == SnapshotCoverage.Unknown && snapshot.Phase == SnapshotPhase.Succeeded &&
        snapshot.ExcludedVolumes.Length > 0;

    /// <summary>True for a volume of a kind KubeVirt snapshots (a disk whose data a snapshot can hold).</summary>
    public static bool IsSnapshottable(JsonElement volume) =>
        s_snapshottable.Any(kind => volume.Child(kind).ValueKind == JsonValueKind.Object);
}
