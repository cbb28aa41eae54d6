namespace VmSnapshot;

/// <summary>
/// The phase of a VirtualMachineSnapshot (snapshot.kubevirt.io). A phase this version does not know maps to
/// <see cref="Unknown"/> rather than failing, so newer clusters stay readable.
/// </summary>
public enum SnapshotPhase
{
    /// <summary>The controller has not looked at the snapshot yet (status.phase is empty).</summary>
    Pending,

    /// <summary>The snapshot is being taken.</summary>
    InProgress,

    /// <summary>Every volume was cut; <c>ReadyToUse</c> follows when the storage is done.</summary>
    Succeeded,

    /// <summary>The snapshot failed; <c>Error</c> says why.</summary>
    Failed,

    /// <summary>The snapshot is being deleted.</summary>
    Deleting,

    /// <summary>A phase this module does not know.</summary>
    Unknown,
}

/// <summary>What a snapshot can be trusted for, derived from the cluster's indications.</summary>
public enum SnapshotConsistency
{
    /// <summary>Not known yet (still in progress, failed, or no indications reported).</summary>
    Unknown,

    /// <summary>The guest agent froze the file systems (Linux fsfreeze, Windows VSS) for the whole cut.</summary>
    ApplicationConsistent,

    /// <summary>Taken live without a successful freeze: like pulling the power cord.</summary>
    CrashConsistent,

    /// <summary>Taken while the VM was stopped: consistent without any freeze.</summary>
    Offline,
}
