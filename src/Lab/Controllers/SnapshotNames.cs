namespace VmSnapshot.Lab.Controllers;

/// <summary>Names, finalizers, labels and messages of KubeVirt's snapshot controller (reference §1.3, §4.1).</summary>
internal static class SnapshotNames
{
    public const string SnapshotFinalizer = "snapshot.kubevirt.io/vmsnapshot-protection";
    public const string ContentFinalizer = "snapshot.kubevirt.io/vmsnapshotcontent-protection";
    public const string SourceFinalizer = "snapshot.kubevirt.io/snapshot-source-protection";
    public const string SourceVmNameLabel = "snapshot.kubevirt.io/source-vm-name";
    public const string SourceVmNamespaceLabel = "snapshot.kubevirt.io/source-vm-namespace";
    public const string Component = "virt-controller";

    public static readonly TimeSpan DefaultFailureDeadline = TimeSpan.FromMinutes(5);
    /// <summary>KubeVirt retries a soft failure (lock, freeze) after 5 s.</summary>
    public static readonly TimeSpan Retry = TimeSpan.FromSeconds(5);

    public static string Content(string snapshotUid) => $"vmsnapshot-content-{snapshotUid}";
    public static string VolumeSnapshot(string snapshotUid, string volumeName) => $"vmsnapshot-{snapshotUid}-volume-{volumeName}";

    // Condition reasons, exactly as the controller writes them.
    public const string SourceNotLocked = "Source not locked";
    public const string SourceDoesNotExist = "Source does not exist";
    public const string SourceLocked = "Source locked and operation in progress";
    public const string OperationComplete = "Operation complete";
    public const string OperationFailed = "Operation failed";
    public const string InErrorState = "In error state";
    public const string Deleting = "VM snapshot is deleting";
    public const string Ready = "Ready";
    public const string NotReady = "Not ready";
    public const string DeadlineExceeded = "snapshot deadline exceeded";

    /// <summary>snapshotIndicationMessages of snapshot.go.</summary>
    public static string IndicationMessage(string indication) => indication switch
    {
        "Online" => "Snapshot taken while the VM was running. Consistency depends on guest-agent quiescing.",
        "GuestAgent" => "Guest agent was active and attempted to quiesce the filesystem for application consistency.",
        "NoGuestAgent" => "Guest agent was not available. Snapshot is crash-consistent and may not be application-consistent.",
        "QuiesceTimeout" => "Guest agent quiesced the filesystem, but the freeze window timed out before completion. Snapshot is crash-consistent and may not be application-consistent.",
        "Paused" => "Snapshot taken while the VM was paused. Snapshot is crash-consistent and may not be application-consistent.",
        "PartialSnapshot" => "Not all snapshotable volumes were included in the snapshot. Check status.snapshotVolumes for excluded volumes and VM VolumeSnapshotStatus for details.",
        "QuiesceFailed" => "Guest agent failed to quiesce the filesystem. Snapshot is crash-consistent and may not be application-consistent.",
        _ => "Unknown indication",
    };

    /// <summary>What virt-api answers when virt-handler refused (the 500 the controller's client sees).</summary>
    public static string Wrapped500(string launcherError) => $"Internal error occurred: unexpected return code 400 (400 Bad Request), message: {launcherError}";
}
