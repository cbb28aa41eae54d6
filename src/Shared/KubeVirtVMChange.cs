namespace VmSnapshot;

/// <summary>
/// Invoke-VMChange's record of one VM's change: what happened at each step, the safety snapshot, the health looks and
/// how it ended. Serialised to JSON by -LogPath as the change record.
/// </summary>
public sealed class KubeVirtVMChange
{
    /// <summary>The VM's name.</summary>
    public string VMName { get; set; } = string.Empty;

    /// <summary>The VM's namespace.</summary>
    public string Namespace { get; set; } = string.Empty;

    /// <summary>The change's ID (-ChangeId), also a label on the safety snapshot.</summary>
    public string ChangeId { get; set; } = string.Empty;

    /// <summary>How the change ended for this VM.</summary>
    public ChangeOutcome Outcome { get; set; }

    /// <summary>The safety snapshot, when one was taken. Kept after any failure.</summary>
    public string? SnapshotName { get; set; }

    /// <summary>Every step, in order, with its start, duration and result.</summary>
    public ValueList<ChangeStep> Steps { get; set; } = ValueList<ChangeStep>.Empty;

    /// <summary>Every health look of the health gates (after the change, and after a rollback).</summary>
    public ValueList<KubeVirtVMHealth> HealthSamples { get; set; } = ValueList<KubeVirtVMHealth>.Empty;

    /// <summary>Why the change did not succeed, or null.</summary>
    public string? Error { get; set; }

    /// <summary>When the change started for this VM (local time).</summary>
    public DateTime StartTime { get; set; }

    /// <summary>How long it took, all steps together.</summary>
    public TimeSpan Duration { get; set; }

    /// <summary>The kubeconfig context (or server) of the VM.</summary>
    public string? Context { get; set; }

    /// <inheritdoc/>
    public override string ToString() => $"{Namespace}/{VMName}: {Outcome}";
}

/// <summary>One step of a change.</summary>
public sealed class ChangeStep
{
    /// <summary>Snapshot, Change, HealthGate, Rollback, RollbackHealthGate or Cleanup.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>Succeeded, Failed or Skipped.</summary>
    public ChangeStepResult Result { get; set; }

    /// <summary>When the step started (local time).</summary>
    public DateTime Start { get; set; }

    /// <summary>How long it took.</summary>
    public TimeSpan Duration { get; set; }

    /// <summary>What the step did or found.</summary>
    public string Message { get; set; } = string.Empty;

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {Result}";
}

/// <summary>How a change ended for one VM.</summary>
public enum ChangeOutcome
{
    /// <summary>Changed, and healthy afterwards.</summary>
    Succeeded,

    /// <summary>The change or its health gate failed; the VM was restored from the safety snapshot and is healthy.</summary>
    RolledBack,

    /// <summary>The change failed and so did the rollback (or the VM is not healthy after it): act now.</summary>
    RollbackFailed,

    /// <summary>Refused before anything was done (pre-flight).</summary>
    Refused,

    /// <summary>The change failed and the VM was left as it is (-OnFailure Keep), or the safety snapshot could not be taken.</summary>
    Failed,

    /// <summary>Not started, because a canary or an earlier VM failed (-Canary, -StopOnFirstFailure).</summary>
    NotStarted,

    /// <summary>-Phase Pre: the safety snapshot is ready; the change comes next.</summary>
    SnapshotTaken,
}

/// <summary>The result of one change step.</summary>
public enum ChangeStepResult
{
    /// <summary>The step did what it should.</summary>
    Succeeded,

    /// <summary>The step failed.</summary>
    Failed,

    /// <summary>The step was not needed or not allowed.</summary>
    Skipped,
}

/// <summary>What a change script block gets besides the VM: the change, its safety snapshot and the connection.</summary>
public sealed class KubeVirtChangeContext
{
    /// <summary>The change's ID.</summary>
    public string ChangeId { get; set; } = string.Empty;

    /// <summary>The VM being changed, as read before the change.</summary>
    public KubeVirtVM? VM { get; set; }

    /// <summary>The safety snapshot (ready to use).</summary>
    public KubeVirtVMSnapshot? Snapshot { get; set; }

    /// <summary>The connection, for -Connection of the cmdlets the script calls.</summary>
    public KubeVirtConnection? Connection { get; set; }
}
