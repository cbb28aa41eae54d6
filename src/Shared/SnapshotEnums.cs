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

/// <summary>
/// Which of the VM's disks a snapshot holds the data of, from status.snapshotVolumes and the PartialSnapshot
/// indication. Only the volumes KubeVirt can snapshot count (PVCs, DataVolumes, memory dumps): cloud-init, ConfigMaps,
/// Secrets and container disks come from the VM spec or an image, are never in a snapshot, and are not missing.
/// </summary>
public enum SnapshotCoverage
{
    /// <summary>
    /// Not known: the snapshot has not succeeded (yet), the cluster did not report its volumes, or it left out a
    /// volume whose kind cannot be told (the VM is gone or unreadable, and the cluster predates KubeVirt 1.9's
    /// PartialSnapshot indication). Never read it as "all disks".
    /// </summary>
    Unknown,

    /// <summary>Every disk that holds data is in the snapshot.</summary>
    AllDisks,

    /// <summary>Some disks are in the snapshot and at least one disk's data is not: restoring it brings that disk back
    /// unchanged, not as it was. ExcludedVolumes names them.</summary>
    Partial,

    /// <summary>No disk's data is in the snapshot: it holds the VM's definition only.</summary>
    ConfigOnly,
}
