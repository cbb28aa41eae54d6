namespace VmSnapshot.Core.Snapshots;

/// <summary>What a Remove-VMSnapshot selection asks for beyond the names: a retention rule, or none.</summary>
/// <param name="KeepLast">Keep the newest N usable snapshots of each VM.</param>
/// <param name="OlderThan">Only snapshots taken before this time.</param>
/// <param name="ExpiredOnly">Only snapshots whose expiry (New-VMSnapshot -ExpiresAfter) has passed.</param>
public sealed record RetentionPolicy(int? KeepLast, DateTime? OlderThan, bool ExpiredOnly)
{
    /// <summary>True when the selection is a rule applied to many snapshots, not a list of chosen ones.</summary>
    public bool IsRule => KeepLast is not null || OlderThan is not null || ExpiredOnly;
}

/// <summary>A snapshot a selection would have deleted but must not, and why.</summary>
public sealed record SparedSnapshot(KubeVirtVMSnapshot Snapshot, string Reason, bool InUse);

/// <summary>What a retention run deletes and what it spares.</summary>
public sealed record RetentionPlan(IReadOnlyList<KubeVirtVMSnapshot> Remove, IReadOnlyList<SparedSnapshot> Spared);

/// <summary>
/// Which snapshots a retention rule removes, per VM. A rule only ever counts usable (ready-to-use) snapshots as kept:
/// a failed or unready snapshot protects nothing, so it never takes one of the N places. A snapshot still being taken
/// is never removed by a rule, and a snapshot that a restore or clone in progress reads from is never removed at all.
/// A snapshot's time is status.creationTime (when it was cut), else metadata.creationTimestamp (a failed snapshot has
/// no status.creationTime: KubeVirt sets it only when the content is cut, pkg/storage/snapshot/snapshot.go); a
/// snapshot with neither counts as the newest and is never "older than".
/// </summary>
public static class RetentionRules
{
    /// <summary>Plans a removal of <paramref name="candidates"/> under <paramref name="policy"/>.</summary>
    /// <param name="candidates">The snapshots the names, VMs and labels selected.</param>
    /// <param name="policy">The rule; none deletes every candidate that is not in use.</param>
    /// <param name="inUse">Why a snapshot ("namespace/name") is in use by a restore or clone in progress.</param>
    /// <param name="now">The time expiries are compared with.</param>
    public static RetentionPlan Plan(IEnumerable<KubeVirtVMSnapshot> candidates, RetentionPolicy policy,
        IReadOnlyDictionary<string, string> inUse, DateTime now)
    {
        if (policy.KeepLast < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(policy), "KeepLast must not be negative.");
        }

        List<KubeVirtVMSnapshot> remove = new();
        List<SparedSnapshot> spared = new();
        foreach (IGrouping<string, KubeVirtVMSnapshot> vm in candidates.GroupBy(s => $"{s.Namespace}/{s.VMName}"))
        {
            HashSet<KubeVirtVMSnapshot> kept = NewestFirst(vm.Where(IsUsable)).Take(policy.KeepLast ?? 0).ToHashSet();
            foreach (KubeVirtVMSnapshot snapshot in NewestFirst(vm))
            {
                if (kept.Contains(snapshot) || !Matches(snapshot, policy, now))
                {
                    continue;
                }

                if (inUse.TryGetValue($"{snapshot.Namespace}/{snapshot.Name}", out string? user))
                {
                    spared.Add(new SparedSnapshot(snapshot, $"it is in use by {user}", InUse: true));
                }
                else if (policy.IsRule && !IsFinished(snapshot))
                {
                    spared.Add(new SparedSnapshot(snapshot, $"it is still being taken (phase {snapshot.Phase})", InUse: false));
                }
                else
                {
                    remove.Add(snapshot);
                }
            }
        }

        return new RetentionPlan(remove, spared);
    }

    /// <summary>The newest <paramref name="count"/> snapshots of each VM, newest first; only usable ones unless asked.</summary>
    public static IEnumerable<KubeVirtVMSnapshot> LatestPerVm(IEnumerable<KubeVirtVMSnapshot> snapshots, int count,
        bool includeUnusable = false) =>
        snapshots.Where(s => includeUnusable || IsUsable(s))
            .GroupBy(s => $"{s.Namespace}/{s.VMName}")
            .SelectMany(vm => NewestFirst(vm).Take(count));

    /// <summary>A snapshot that can be restored or cloned from: finished and ready to use.</summary>
    public static bool IsUsable(KubeVirtVMSnapshot snapshot) => snapshot.ReadyToUse && snapshot.Phase == SnapshotPhase.Succeeded;

    /// <summary>True when the snapshot's expiry has passed.</summary>
    public static bool IsExpired(KubeVirtVMSnapshot snapshot, DateTime now) => snapshot.ExpiresAt is { } expires && expires <= now;

    private static bool Matches(KubeVirtVMSnapshot snapshot, RetentionPolicy policy, DateTime now) =>
        (policy.OlderThan is not { } cutoff || (snapshot.CreationTime is { } created && created < cutoff)) &&
        (!policy.ExpiredOnly || IsExpired(snapshot, now));

    private static bool IsFinished(KubeVirtVMSnapshot snapshot) => snapshot.Phase is SnapshotPhase.Succeeded or SnapshotPhase.Failed;

    private static IEnumerable<KubeVirtVMSnapshot> NewestFirst(IEnumerable<KubeVirtVMSnapshot> snapshots) =>
        snapshots.OrderByDescending(s => s.CreationTime ?? DateTime.MaxValue).ThenBy(s => s.Name, StringComparer.Ordinal);
}
