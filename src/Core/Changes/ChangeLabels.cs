namespace VmSnapshot.Core.Changes;

/// <summary>
/// How a safety snapshot is marked: labels to select on (Get-VMSnapshot -Label), an annotation for its state. A VM
/// whose safety snapshot says InProgress is in a change, so a second Invoke-VMChange (another session, another
/// runbook) refuses it.
/// </summary>
public static class ChangeLabels
{
    /// <summary>What the snapshot is for.</summary>
    public const string Purpose = "vmsnapshot.io/purpose";

    /// <summary>The value of <see cref="Purpose"/> on safety snapshots.</summary>
    public const string SafetySnapshot = "change-safety";

    /// <summary>The change's ID.</summary>
    public const string ChangeId = "vmsnapshot.io/change-id";

    /// <summary>Where the change stands: InProgress while it runs, then the outcome.</summary>
    public const string State = "vmsnapshot.io/change-state";

    /// <summary>The value of <see cref="State"/> while the change runs.</summary>
    public const string InProgress = "InProgress";
}
