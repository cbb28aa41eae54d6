namespace VmSnapshot.Core.Quiesce;

/// <summary>
/// Runs every check over already-fetched facts and decides the verdict. Pure: no I/O, so the rules are unit-tested.
/// </summary>
public static class QuiesceEvaluator
{
    /// <param name="inputs">The facts read for one VM.</param>
    /// <param name="context">The kubeconfig context (or server) they were read from.</param>
    /// <param name="allowPartial">
    /// Accept a snapshot that would miss some disk's data: the verdict is then the consistency of what is captured,
    /// and <see cref="QuiesceReadiness.Coverage"/> still says Partial.
    /// </param>
    public static QuiesceReadiness Evaluate(QuiesceInputs inputs, string? context = null, bool allowPartial = false)
    {
        (RunState state, string label) = VmRunState.Of(inputs.Vm, inputs.Vmi);
        CheckList checks = new(inputs.Name);
        VmStateCheck.Add(checks, inputs, state, label);
        if (state != RunState.Stopped)
        {
            // A stopped VM's snapshot needs no agent, so asking about one would only add noise.
            AgentChecks.Add(checks, inputs);
            GuestOsChecks.Add(checks, inputs);
        }

        VolumeSummary volumes = VolumeChecks.Add(checks, inputs);
        ClusterChecks.Add(checks, inputs);
        SnapshotHistoryCheck.Add(checks, inputs);
        TrialCheck.Add(checks, inputs);

        (QuiesceVerdict verdict, string reason) = QuiesceVerdictRules.Decide(inputs, state, checks.Items, volumes, allowPartial);
        bool connected = inputs.AgentSamples.Count > 0 && inputs.AgentSamples.All(s => s);
        IReadOnlyList<string>? unusable = GuestFacts.UnusableFreezeCommands(inputs);
        return new QuiesceReadiness
        {
            VMName = inputs.Name,
            Namespace = inputs.Namespace,
            Verdict = verdict,
            Summary = QuiesceVerdictRules.Summarize(verdict, reason, checks.Items),
            Checks = checks.Items.ToArray(),
            State = label,
            AgentConnected = connected,
            AgentVersion = GuestFacts.AgentVersion(inputs),
            GuestOS = GuestFacts.OsId(inputs),
            IsWindows = GuestFacts.IsWindows(inputs),
            FreezeCommandsEnabled = unusable is null ? null : unusable.Count == 0,
            NotCapturedVolumes = volumes.NotCaptured.ToArray(),
            Coverage = volumes.Coverage,
            TrialFreezeDuration = inputs.Trial is { FreezeError: null, SkipReason: null } trial ? trial.FreezeDuration : null,
            CheckedAt = inputs.Now.ToLocalTime(),
            Context = context,
        };
    }

    /// <summary>Why -Trial should not freeze this VM, or null when it may.</summary>
    public static string? TrialSkipReason(QuiesceInputs inputs)
    {
        (RunState state, string label) = VmRunState.Of(inputs.Vm, inputs.Vmi);
        return state switch
        {
            RunState.Stopped => "the VM is stopped; an offline snapshot needs no freeze.",
            RunState.Paused => "the VM is paused; a paused guest cannot freeze.",
            RunState.Transitional => $"the VM is {label}, not running.",
            _ when inputs.AgentSamples.Count == 0 || !inputs.AgentSamples[^1] =>
                "the guest agent is not connected, so there is nothing to freeze with.",
            _ when inputs.CanFreeze.Allowed == false =>
                $"you may not freeze guests in namespace '{inputs.Namespace}' ({inputs.CanFreeze.Detail}).",
            _ => null,
        };
    }
}
