namespace VmSnapshot.Core.Snapshots;

/// <summary>
/// Which snapshots a retention rule keeps and which it removes, per VM. Snapshots without a time yet (just
/// created) count as the newest, so a retention run never removes a snapshot that is being taken.
/// </summary>
public static class RetentionRules
{
    /// <summary>
    /// The snapshots to remove: beyond the newest <paramref name="keepLast"/> of each VM and, when
    /// <paramref name="olderThan"/> is given, created before it. Neither given: all candidates.
    /// </summary>
    public static IReadOnlyList<KubeVirtVMSnapshot> SelectForRemoval(IEnumerable<KubeVirtVMSnapshot> candidates,
        int? keepLast, DateTime? olderThan)
    {
        if (keepLast < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(keepLast), "keepLast must not be negative.");
        }

        List<KubeVirtVMSnapshot> remove = new();
        foreach (IGrouping<string, KubeVirtVMSnapshot> vm in candidates.GroupBy(s => $"{s.Namespace}/{s.VMName}"))
        {
            IEnumerable<KubeVirtVMSnapshot> beyondKept = NewestFirst(vm).Skip(keepLast ?? 0);
            remove.AddRange(olderThan is { } cutoff
                ? beyondKept.Where(s => s.CreationTime is { } created && created < cutoff)
                : beyondKept);
        }

        return remove;
    }

    /// <summary>The newest <paramref name="count"/> snapshots of each VM, newest first.</summary>
    public static IEnumerable<KubeVirtVMSnapshot> LatestPerVm(IEnumerable<KubeVirtVMSnapshot> snapshots, int count) =>
        snapshots.GroupBy(s => $"{s.Namespace}/{s.VMName}").SelectMany(vm => NewestFirst(vm).Take(count));

    private static IEnumerable<KubeVirtVMSnapshot> NewestFirst(IEnumerable<KubeVirtVMSnapshot> snapshots) =>
        snapshots.OrderByDescending(s => s.CreationTime ?? DateTime.MaxValue).ThenBy(s => s.Name, StringComparer.Ordinal);
}
