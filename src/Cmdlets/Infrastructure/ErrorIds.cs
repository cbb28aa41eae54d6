namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// Every ErrorId the module emits. They are part of the public contract: users' scripts and Pester tests match on
/// $err.FullyQualifiedErrorId ("SnapshotNotFound,VmSnapshot.Commands.GetVMSnapshotCommand"). Never rename one.
/// </summary>
internal static class ErrorIds
{
    // Answers from the API server.
    public const string ObjectNotFound = "ObjectNotFound";
    public const string ResourceExists = "ResourceExists";
    public const string Conflict = "Conflict";
    public const string Unauthorized = "Unauthorized";
    public const string Forbidden = "Forbidden";
    public const string InvalidRequest = "InvalidRequest";
    public const string OperationTimeout = "OperationTimeout";
    public const string ClusterUnreachable = "ClusterUnreachable";
    public const string TlsFailure = "TlsFailure";
    public const string ApiThrottled = "ApiThrottled";
    public const string ApiServerError = "ApiServerError";

    // Connections.
    public const string KubeconfigNotFound = "KubeconfigNotFound";
    public const string KubeconfigInvalid = "KubeconfigInvalid";
    public const string ContextNotFound = "ContextNotFound";
    public const string NotInCluster = "NotInCluster";
    public const string CertificateAuthorityInvalid = "CertificateAuthorityInvalid";
    public const string InvalidServerUri = "InvalidServerUri";
    public const string TokenMissing = "TokenMissing";
    public const string CredentialPluginFailed = "CredentialPluginFailed";
    public const string LabStopped = "LabStopped";
    public const string LastConnectFailed = "LastConnectFailed";

    // VMs.
    public const string VMNotFound = "VMNotFound";

    // Namespaces.
    public const string NamespaceNotFound = "NamespaceNotFound";

    // Snapshots.
    public const string SnapshotNotFound = "SnapshotNotFound";
    public const string NamespaceConflict = "NamespaceAndAllNamespaces";
    public const string SnapshotExists = "SnapshotExists";
    public const string InvalidSnapshotName = "InvalidSnapshotName";
    public const string DuplicateSnapshotName = "DuplicateSnapshotName";
    public const string MemorySnapshotNotSupported = "MemorySnapshotNotSupported";
    public const string VolumesNotCaptured = "VolumesNotCaptured";
    public const string SnapshotFailed = "SnapshotFailed";
    public const string SnapshotDeadlineExceeded = "SnapshotDeadlineExceeded";
    public const string SnapshotSourceMissing = "SnapshotSourceMissing";
    public const string SnapshotDeleted = "SnapshotDeleted";
    public const string SnapshotInUse = "SnapshotInUse";
    public const string InvalidExpiry = "InvalidExpiry";
    public const string InvalidGracePeriod = "InvalidGracePeriod";
    public const string HealthWaitCannotPass = "HealthWaitCannotPass";
    public const string WaitTimedOut = "WaitTimedOut";
    public const string QuiesceNotAchieved = "QuiesceNotAchieved";
    public const string FeatureGateDisabled = "FeatureGateDisabled";
    public const string InvalidInputObject = "InvalidInputObject";
    public const string ConnectionMismatch = "ConnectionMismatch";
    public const string InvalidTimeout = "InvalidTimeout";
    public const string InvalidVMName = "InvalidVMName";
    public const string InvalidName = "InvalidName";
    public const string InvalidLabel = "InvalidLabel";
    public const string InvalidAnnotation = "InvalidAnnotation";
    public const string DuplicateTargetName = "DuplicateTargetName";
    public const string StartRequiresWait = "StartRequiresWait";
    public const string UnexpectedError = "UnexpectedError";
    public const string KubeconfigExists = "KubeconfigExists";

    // Restores and clones.
    public const string AmbiguousSnapshot = "AmbiguousSnapshot";
    public const string SnapshotNotUsable = "SnapshotNotUsable";
    public const string SnapshotNotReady = "SnapshotNotReady";
    public const string VMRunning = "VMRunning";
    public const string RestoreInProgress = "RestoreInProgress";
    public const string RestoreTargetExists = "RestoreTargetExists";
    public const string InPlaceRestoreToNewVM = "InPlaceRestoreToNewVM";
    public const string RestoreFailed = "RestoreFailed";
    public const string CloneTargetExists = "CloneTargetExists";
    public const string CloneSourceNotFound = "CloneSourceNotFound";
    public const string CloneFailed = "CloneFailed";
    public const string NetworkNotFound = "NetworkNotFound";
    public const string TargetNetworkNotFound = "TargetNetworkNotFound";

    // The lab.
    public const string LabStartFailed = "LabStartFailed";
    public const string LabPortInUse = "LabPortInUse";
    public const string LabNotFound = "LabNotFound";
    public const string CheckpointExpired = "CheckpointExpired";
    public const string InvalidFaultRule = "InvalidFaultRule";

    // Guest quiesce (Test-GuestQuiesce).
    public const string InvalidTrialHold = "InvalidTrialHold";
    public const string GuestStillFrozen = "GuestStillFrozen";

    // VM health (Test-VMHealth).
    public const string WaitParameterWithoutWait = "WaitParameterWithoutWait";
    public const string InvalidHttpUri = "InvalidHttpUri";

    // Snapshot-protected changes (Invoke-VMChange).
    public const string ChangeNotProtected = "ChangeNotProtected";
    public const string SnapshotBlocked = "SnapshotBlocked";
    public const string QuiesceNotPossible = "QuiesceNotPossible";
    public const string VMBusy = "VMBusy";
    public const string VMInChange = "VMInChange";
    public const string VMUnhealthyBeforeChange = "VMUnhealthyBeforeChange";
    public const string InvalidChangeId = "InvalidChangeId";
    public const string ChangeFailed = "ChangeFailed";
    public const string RollbackFailed = "RollbackFailed";
    public const string SafetySnapshotNotFound = "SafetySnapshotNotFound";
    public const string InvalidLogPath = "InvalidLogPath";
}
