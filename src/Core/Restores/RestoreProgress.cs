namespace VmSnapshot.Core.Restores;

/// <summary>Where a restore stands.</summary>
public enum RestoreStage
{
    /// <summary>Not picked up yet.</summary>
    Pending,

    /// <summary>Waiting for the target VM to stop (targetReadinessPolicy).</summary>
    WaitingForTarget,

    /// <summary>Creating claims, updating the VM.</summary>
    InProgress,

    /// <summary>The controller reports an error and retries (snapshot not ready, target conflict).</summary>
    Retrying,

    /// <summary>complete: true.</summary>
    Complete,

    /// <summary>A Failure condition: terminal.</summary>
    Failed,
}

/// <summary>A restore's stage with the cluster's own words for it.</summary>
public sealed record RestoreProgress(RestoreStage Stage, string Message)
{
    /// <summary>True when waiting longer cannot change the outcome.</summary>
    public bool IsFinal => Stage is RestoreStage.Complete or RestoreStage.Failed;
}
