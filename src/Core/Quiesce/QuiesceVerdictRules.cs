namespace VmSnapshot.Core.Quiesce;

/// <summary>
/// The verdict, strictest rule first:
/// <list type="number">
/// <item>Blocked: the caller may not create snapshots, or the Snapshot feature gate is off.</item>
/// <item>ConfigOnly: the cluster says no disk of the VM would be captured.</item>
/// <item>Partial: some disk's data would not be captured (no VolumeSnapshotClass, hot-plugged into the instance
/// only), unless the caller accepts that (-AllowPartial): a snapshot that misses a disk is never "fully protected".</item>
/// <item>ApplicationConsistent for a stopped VM: an offline snapshot needs no freeze.</item>
/// <item>ApplicationConsistent for a running VM whose agent was connected in every sample, whose freeze commands
/// are known to be enabled, and whose trial freeze (if run) worked.</item>
/// <item>CrashConsistentOnly otherwise: paused, starting, no or flapping agent, freeze commands disabled or unknown,
/// or a failed trial.</item>
/// </list>
/// Warnings (the Windows VSS window, an ephemeral disk) do not change the verdict; they are in the checks.
/// </summary>
internal static class QuiesceVerdictRules
{
    public static (QuiesceVerdict Verdict, string Reason) Decide(QuiesceInputs inputs, RunState state,
        IReadOnlyList<QuiesceCheck> checks, VolumeSummary volumes, bool allowPartial = false)
    {
        string Message(string name) => checks.FirstOrDefault(c => c.Name == name && c.Status != CheckStatus.Pass)?.Message
            ?? checks.FirstOrDefault(c => c.Name == name)?.Message ?? name;

        if (inputs.CanCreateSnapshot.Allowed == false)
        {
            return (QuiesceVerdict.Blocked, Message(CheckNames.CanCreateSnapshot));
        }

        if (inputs.FeatureGate.State == FeatureGateState.Disabled)
        {
            return (QuiesceVerdict.Blocked, Message(CheckNames.FeatureGate));
        }

        if (volumes.NothingCaptured)
        {
            return (QuiesceVerdict.ConfigOnly,
                "No disk of this VM would be captured: a snapshot would hold the VM spec only.");
        }

        if (volumes.DataNotCaptured.Count > 0 && !allowPartial)
        {
            // The failed volume check names the disk, the cluster's reason and what to do.
            return (QuiesceVerdict.Partial, checks.FirstOrDefault(c => c.Status == CheckStatus.Fail &&
                    c.Name is CheckNames.Volume or CheckNames.HotplugVolume)?.Message
                ?? $"A snapshot would not hold the data of {string.Join(", ", volumes.DataNotCaptured.Select(v => $"'{v}'"))}.");
        }

        if (state == RunState.Stopped)
        {
            return (QuiesceVerdict.ApplicationConsistent, Message(CheckNames.VMState));
        }

        if (state != RunState.Running)
        {
            return (QuiesceVerdict.CrashConsistentOnly, Message(CheckNames.VMState));
        }

        if (inputs.AgentSamples.Count == 0 || !inputs.AgentSamples.All(s => s))
        {
            return (QuiesceVerdict.CrashConsistentOnly, Message(CheckNames.AgentConnected));
        }

        if (GuestFacts.UnusableFreezeCommands(inputs) is not { Count: 0 })
        {
            return (QuiesceVerdict.CrashConsistentOnly, Message(CheckNames.FreezeCommands));
        }

        if (inputs.Trial is { SkipReason: null } trial && !trial.Succeeded)
        {
            return (QuiesceVerdict.CrashConsistentOnly, Message(CheckNames.TrialFreeze));
        }

        return (QuiesceVerdict.ApplicationConsistent,
            "The guest agent is connected and may freeze the file systems: a snapshot now is application-consistent.");
    }

    /// <summary>
    /// One line for the table: the reason for any verdict short of application-consistent; for that verdict the
    /// worst finding that remains (a failed check, else a warning), so a risk is not hidden behind a good verdict.
    /// </summary>
    public static string Summarize(QuiesceVerdict verdict, string reason, IReadOnlyList<QuiesceCheck> checks)
    {
        if (verdict != QuiesceVerdict.ApplicationConsistent)
        {
            return reason;
        }

        // CanFreeze only matters for -Trial; it would crowd out the guest's own risks in a fleet report.
        return checks.FirstOrDefault(c => c.Status == CheckStatus.Fail)?.Message
            ?? checks.FirstOrDefault(c => c.Status == CheckStatus.Warn && c.Name != CheckNames.CanFreeze)?.Message
            ?? reason;
    }
}
