namespace VmSnapshot.Core.Quiesce;

/// <summary>The result of -Trial: a real freeze and thaw, the strongest evidence there is short of a snapshot.</summary>
internal static class TrialCheck
{
    public static void Add(CheckList checks, QuiesceInputs inputs)
    {
        if (inputs.Trial is not { } trial)
        {
            return;
        }

        if (trial.SkipReason is { } skip)
        {
            checks.Add(CheckNames.TrialFreeze, CheckStatus.Warn, $"Not tried: {skip}");
            return;
        }

        string held = trial.Held > TimeSpan.Zero ? $", held it {Durations.Describe(trial.Held)}" : string.Empty;
        if (trial.FreezeError is { } freezeError)
        {
            checks.Add(CheckNames.TrialFreeze, CheckStatus.Fail,
                $"The trial freeze failed: {freezeError}{Hint(freezeError)} A snapshot now would be crash-consistent or fail.");
        }
        else if (trial.ThawError is { } thawError)
        {
            checks.Add(CheckNames.TrialFreeze, CheckStatus.Fail,
                $"The guest froze in {Durations.Describe(trial.FreezeDuration ?? TimeSpan.Zero)}{held}, but the thaw failed: " +
                $"{thawError}{Hint(thawError)}");
        }
        else if (trial.StillFrozen == true)
        {
            checks.Add(CheckNames.TrialFreeze, CheckStatus.Fail,
                "The guest froze, but the instance still reports fsFreezeStatus 'frozen' after the thaw. The cluster " +
                $"thaws it at the latest after {Durations.Describe(trial.UnfreezeTimeout)}; check the guest agent.");
        }
        else
        {
            checks.Add(CheckNames.TrialFreeze, CheckStatus.Pass,
                $"The guest froze in {Durations.Describe(trial.FreezeDuration ?? TimeSpan.Zero)}{held} and thawed again.");
        }
    }

    private static string Hint(string error)
    {
        if (error.Contains("fsfreeze hook", StringComparison.OrdinalIgnoreCase))
        {
            return ". An fsfreeze hook script failed in the guest: check /var/log/qga-fsfreeze-hook.log and the scripts in fsfreeze-hook.d.";
        }

        if (error.Contains("limited up to 10 seconds", StringComparison.OrdinalIgnoreCase))
        {
            return ". Windows VSS released the writes after about 10 seconds: a snapshot that takes this long ends QuiesceTimeout (crash-consistent).";
        }

        if (error.Contains("has been disabled", StringComparison.OrdinalIgnoreCase))
        {
            return ". The freeze commands are blocked in qemu-ga's configuration.";
        }

        if (error.Contains("not connected", StringComparison.OrdinalIgnoreCase))
        {
            return ". The guest agent disconnected.";
        }

        return ".";
    }
}
