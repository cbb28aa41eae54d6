namespace VmSnapshot.Core.Snapshots;

/// <summary>Where a snapshot stands, judged from phase, conditions, error and readyToUse together.</summary>
public enum SnapshotStage
{
    /// <summary>The controller has not picked it up yet.</summary>
    Pending,

    /// <summary>Waiting for the VM lock (another snapshot or restore, a volume not bound yet).</summary>
    WaitingForLock,

    /// <summary>Locked and being taken.</summary>
    InProgress,

    /// <summary>The controller reports an error and retries (e.g. the guest agent failed to freeze) until the deadline.</summary>
    Retrying,

    /// <summary>Every volume is cut (phase Succeeded); the storage is still making the copies ready.</summary>
    Cut,

    /// <summary>Succeeded and readyToUse: done.</summary>
    Ready,

    /// <summary>Failed: done, with an error.</summary>
    Failed,

    /// <summary>The VM does not exist, so the snapshot waits for it indefinitely (Progressing=False "Source does not exist").</summary>
    SourceMissing,

    /// <summary>Being deleted.</summary>
    Deleting,
}

/// <summary>A snapshot's stage with the cluster's own words for it.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="Message">The condition reason or error text, for progress and errors.</param>
/// <param name="Deadline">When the cluster will fail it (creation + failureDeadline), or null for no deadline.</param>
public sealed record SnapshotProgress(SnapshotStage Stage, string Message, DateTimeOffset? Deadline)
{
    /// <summary>True when waiting longer cannot change the outcome.</summary>
    public bool IsFinal => Stage is SnapshotStage.Ready or SnapshotStage.Failed or SnapshotStage.SourceMissing
        or SnapshotStage.Deleting;
}
