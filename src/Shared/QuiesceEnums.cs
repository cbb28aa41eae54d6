namespace VmSnapshot;

/// <summary>
/// What a snapshot of a VM taken now would be worth, as Test-GuestQuiesce judges it. Ordered from worst to best
/// is not implied; compare by name.
/// </summary>
public enum QuiesceVerdict
{
    /// <summary>
    /// The guest agent would freeze the file systems (Linux fsfreeze and hooks, Windows VSS) for the cut. A stopped
    /// VM also gets this verdict: its offline snapshot is consistent without any freeze (a check says "offline").
    /// </summary>
    ApplicationConsistent,

    /// <summary>
    /// A snapshot can be taken, but the guest would not be frozen (paused VM, no or flapping guest agent, freeze
    /// commands disabled, a failed trial freeze): like pulling the power cord.
    /// </summary>
    CrashConsistentOnly,

    /// <summary>No disk of the VM would be captured: the snapshot would hold the VM spec only.</summary>
    ConfigOnly,

    /// <summary>No snapshot can be taken at all: the caller may not create one, or the Snapshot feature gate is off.</summary>
    Blocked,

    /// <summary>
    /// A snapshot would miss the data of some disk (no VolumeSnapshotClass for its storage, hot-plugged into the
    /// running instance only): restoring it would not bring that disk back. Test-GuestQuiesce -AllowPartial accepts
    /// that and gives the consistency verdict instead; Coverage still says Partial.
    /// </summary>
    Partial,
}

/// <summary>The outcome of one readiness check.</summary>
public enum CheckStatus
{
    /// <summary>Checked through the API and fine.</summary>
    Pass,

    /// <summary>Checked, and a risk to know about (it may cost consistency under some conditions).</summary>
    Warn,

    /// <summary>Checked, and a problem that makes the snapshot less than it should be.</summary>
    Fail,

    /// <summary>Cannot be checked through the Kubernetes API; the message says what to check in the guest or cluster.</summary>
    Manual,
}
