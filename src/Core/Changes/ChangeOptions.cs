using VmSnapshot.Core.Health;

namespace VmSnapshot.Core.Changes;

/// <summary>Whether a failed change is rolled back or left for inspection.</summary>
public enum FailureAction
{
    /// <summary>Restore the safety snapshot in place, start the VM, check its health once more.</summary>
    Rollback,

    /// <summary>Leave the VM as the change left it.</summary>
    Keep,
}

/// <summary>Everything about a change that is the same for every VM.</summary>
/// <param name="ChangeId">The change's ID (a valid label value).</param>
/// <param name="KeepSnapshotFor">The safety snapshot's expiry after a success.</param>
/// <param name="RemoveSnapshotOnSuccess">Delete the safety snapshot at once after a success.</param>
/// <param name="RequireQuiesce">Refuse a VM whose snapshot would not be application-consistent, and fail one that was not.</param>
/// <param name="AllowPartial">Accept a safety snapshot that misses some disk's data.</param>
/// <param name="OnFailure">Roll back or keep.</param>
/// <param name="Health">Which health checks the gate makes.</param>
/// <param name="Gate">How long and how strictly the health gate waits.</param>
/// <param name="SnapshotTimeout">How long the safety snapshot may take to be ready.</param>
/// <param name="RestoreTimeout">How long a rollback's restore may take.</param>
/// <param name="CreatedBy">Who runs the change (written on the snapshot).</param>
public sealed record ChangeOptions(
    string ChangeId,
    TimeSpan KeepSnapshotFor,
    bool RemoveSnapshotOnSuccess,
    bool RequireQuiesce,
    bool AllowPartial,
    FailureAction OnFailure,
    HealthOptions Health,
    HealthGatePolicy Gate,
    TimeSpan SnapshotTimeout,
    TimeSpan RestoreTimeout,
    string? CreatedBy);
