namespace VmSnapshot.Core.Refusals;

/// <summary>
/// Why the engine declines to send a change (or finds nothing to act on). Each kind maps to one stable ErrorId in
/// the PowerShell face; the engine decides, the cmdlet only words the next step.
/// </summary>
public enum RefusalKind
{
    /// <summary>The VM named does not exist.</summary>
    VMNotFound,

    /// <summary>The namespace named does not exist.</summary>
    NamespaceNotFound,

    /// <summary>The snapshot named does not exist (or no longer does).</summary>
    SnapshotNotFound,

    /// <summary>The VM or snapshot to clone does not exist.</summary>
    CloneSourceNotFound,

    /// <summary>The snapshot failed and can never be used.</summary>
    SnapshotFailed,

    /// <summary>The snapshot is not ready to use yet.</summary>
    SnapshotNotReady,

    /// <summary>A restore into a new VM names a VM that exists (the controller would hang on it).</summary>
    RestoreTargetExists,

    /// <summary>A clone names a target VM that exists (the controller would hang on it).</summary>
    CloneTargetExists,

    /// <summary>Another restore of the VM is in progress (status.restoreInProgress).</summary>
    RestoreInProgress,

    /// <summary>The VM runs and nothing was said about stopping it.</summary>
    VMRunning,

    /// <summary>volumeRestorePolicy InPlace into another VM would take the source VM's claims.</summary>
    InPlaceRestoreToNewVM,

    /// <summary>A disk the operation needs cannot be snapshotted.</summary>
    VolumesNotCaptured,

    /// <summary>A -NetworkMap key names no network of the source VM.</summary>
    NetworkNotFound,

    /// <summary>A -NetworkMap value names no NetworkAttachmentDefinition.</summary>
    TargetNetworkNotFound,

    /// <summary>A safety snapshot would miss some disk's data (or hold the spec only), and that was not accepted.</summary>
    ChangeNotProtected,

    /// <summary>A safety snapshot cannot be taken at all (no right to create one, feature gate off).</summary>
    SnapshotBlocked,

    /// <summary>An application-consistent snapshot was required and cannot be had now.</summary>
    QuiesceNotPossible,

    /// <summary>A snapshot or restore holds the VM right now.</summary>
    VMBusy,

    /// <summary>Another change holds the VM (its safety snapshot says InProgress).</summary>
    VMInChange,

    /// <summary>The VM fails the health checks before the change: the health gate after it could never pass.</summary>
    VMUnhealthy,
}
