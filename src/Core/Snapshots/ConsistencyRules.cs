namespace VmSnapshot.Core.Snapshots;

/// <summary>
/// Derives what a snapshot can be trusted for from KubeVirt's indications (kubevirt-api.md §1.2). Indications this
/// version does not know are ignored rather than rejected: older clusters send QuiesceFailed (1.6–1.7) and newer
/// ones may add more.
/// </summary>
public static class ConsistencyRules
{
    /// <summary>Indications that say the guest was not (or not reliably) frozen during the cut.</summary>
    private static readonly string[] s_crashConsistentMarkers =
        { "NoGuestAgent", "QuiesceTimeout", "QuiesceFailed", "Paused" };

    public static SnapshotConsistency Derive(SnapshotPhase phase, IReadOnlyCollection<string> indications)
    {
        if (phase != SnapshotPhase.Succeeded)
        {
            return SnapshotConsistency.Unknown;
        }

        if (indications.Any(i => s_crashConsistentMarkers.Contains(i, StringComparer.Ordinal)))
        {
            return SnapshotConsistency.CrashConsistent;
        }

        if (indications.Contains("GuestAgent", StringComparer.Ordinal))
        {
            return SnapshotConsistency.ApplicationConsistent;
        }

        // Online without a guest-agent indication was a live cut without quiesce. No Online at all on a
        // succeeded snapshot means the VM was not running: an offline snapshot needs no freeze.
        return indications.Contains("Online", StringComparer.Ordinal)
            ? SnapshotConsistency.CrashConsistent
            : SnapshotConsistency.Offline;
    }
}
