using VmSnapshot.Core.Snapshots;

namespace VmSnapshot.Core.Quiesce;

/// <summary>What the VM's newest snapshot says about how its snapshots turn out in practice.</summary>
internal static class SnapshotHistoryCheck
{
    public static void Add(CheckList checks, QuiesceInputs inputs)
    {
        if (inputs.SnapshotsUnreadable is { } why)
        {
            checks.Add(CheckNames.LastSnapshot, CheckStatus.Manual,
                $"The VM's snapshots could not be listed ({why}), so how earlier snapshots turned out is unknown.");
            return;
        }

        if (inputs.LatestSnapshot is not { } last)
        {
            return; // No history: nothing to report either way.
        }

        string when = last.CreationTime is { } t ? $", {Durations.Describe(DateTime.Now - t)} ago" : string.Empty;
        string name = $"The newest snapshot '{last.Name}'{when}";
        string indications = last.Indications.Length == 0 ? "none" : string.Join(", ", last.Indications);
        switch (last.Phase)
        {
            case SnapshotPhase.Failed:
                string hook = last.Error?.Contains("fsfreeze hook", StringComparison.OrdinalIgnoreCase) == true
                    ? " An fsfreeze hook script failed in the guest: check /var/log/qga-fsfreeze-hook.log."
                    : string.Empty;
                checks.Add(CheckNames.LastSnapshot, CheckStatus.Warn,
                    $"{name} failed: {last.Error ?? "no error recorded"}.{hook}");
                return;
            case SnapshotPhase.Pending or SnapshotPhase.InProgress:
                checks.Add(CheckNames.LastSnapshot, CheckStatus.Warn,
                    $"{name} is still in progress; a new snapshot waits for it (one snapshot at a time per VM).");
                return;
            case SnapshotPhase.Succeeded:
                break;
            default:
                checks.Add(CheckNames.LastSnapshot, CheckStatus.Warn, $"{name} is {last.Phase}.");
                return;
        }

        // Cloud-init and the like are always left out and rebuilt from the spec; only data disks make it partial
        // (CoverageRules, as KubeVirt's PartialSnapshot indication decides it).
        SnapshotCoverage coverage = CoverageRules.FromVm(last, inputs.Vm);
        string[] dataLeftOut = CoverageRules.DataLeftOut(last, inputs.Vm);
        bool partial = coverage is SnapshotCoverage.Partial or SnapshotCoverage.ConfigOnly;
        string partialNote = coverage switch
        {
            SnapshotCoverage.ConfigOnly => " It held no disk's data, only the VM definition.",
            SnapshotCoverage.Partial =>
                $" It did not contain every disk (left out: {string.Join(", ", dataLeftOut.DefaultIfEmpty("see PartialSnapshot"))}).",
            _ => string.Empty,
        };
        (CheckStatus status, string text) = last.Consistency switch
        {
            SnapshotConsistency.ApplicationConsistent => (CheckStatus.Pass, "was application-consistent"),
            SnapshotConsistency.Offline => (CheckStatus.Pass, "was taken offline (consistent without a freeze)"),
            _ when last.Indications.Contains("QuiesceTimeout") => (CheckStatus.Warn,
                "was crash-consistent: the freeze window ran out (QuiesceTimeout; Windows VSS holds writes about 10 s)"),
            _ when last.Indications.Contains("QuiesceFailed") => (CheckStatus.Warn,
                "was crash-consistent: the guest agent failed to freeze (QuiesceFailed)"),
            _ when last.Indications.Contains("NoGuestAgent") => (CheckStatus.Warn,
                "was crash-consistent: no guest agent was connected (NoGuestAgent)"),
            _ when last.Indications.Contains("Paused") => (CheckStatus.Warn, "was crash-consistent: the VM was paused"),
            _ => (CheckStatus.Warn, "was crash-consistent"),
        };
        checks.Add(CheckNames.LastSnapshot, partial ? CheckStatus.Warn : status,
            $"{name} {text} (indications: {indications}).{partialNote}");
    }
}
