using System.Management.Automation;
using System.Text.Json;
using VmSnapshot.Core.Snapshots;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// Turns the final state of a snapshot into what the user gets: the snapshot object, or an error that says what
/// happened and what to do (the snapshot object is the error's target, so scripts can still reach it).
/// </summary>
internal static class SnapshotOutcome
{
    /// <summary>The error for a snapshot that ended badly, or null when it is ready.</summary>
    public static ErrorRecord? ErrorFor(SnapshotProgress progress, KubeVirtVMSnapshot snapshot) => progress.Stage switch
    {
        SnapshotStage.Ready => null,
        SnapshotStage.Failed when progress.Message.Contains("deadline exceeded", StringComparison.OrdinalIgnoreCase) =>
            ErrorRecords.Create(new InvalidOperationException(
                    $"Snapshot '{snapshot.Name}' of VM '{snapshot.VMName}' failed: {progress.Message}. The cluster gave up " +
                    "after the failure deadline and cleaned up; the VM was unfrozen and unlocked."),
                ErrorIds.SnapshotDeadlineExceeded, ErrorCategory.OperationTimeout, snapshot,
                "Check the VM's events and volumes (Get-KubeVirtVM), then try again, with a longer -FailureDeadline if the storage is slow."),
        SnapshotStage.Failed => ErrorRecords.Create(new InvalidOperationException(
                $"Snapshot '{snapshot.Name}' of VM '{snapshot.VMName}' failed: {progress.Message}"),
            ErrorIds.SnapshotFailed, ErrorCategory.InvalidResult, snapshot,
            "Read the cluster's error above, fix the cause, remove the failed snapshot with Remove-VMSnapshot and try again."),
        SnapshotStage.SourceMissing => ErrorRecords.Create(new InvalidOperationException(
                $"Snapshot '{snapshot.Name}' waits for VM '{snapshot.VMName}', which does not exist (Source does not exist). " +
                "It will not progress until that VM is created."),
            ErrorIds.SnapshotSourceMissing, ErrorCategory.ObjectNotFound, snapshot,
            "Create the VM, or remove the snapshot with Remove-VMSnapshot."),
        SnapshotStage.Deleting => ErrorRecords.Create(new InvalidOperationException(
                $"Snapshot '{snapshot.Name}' is being deleted."),
            ErrorIds.SnapshotDeleted, ErrorCategory.InvalidOperation, snapshot, null),
        _ => null,
    };

    /// <summary>
    /// For -RequireQuiesce: null when the snapshot is application-consistent (or offline, which needs no freeze), else
    /// the error explaining why it is not.
    /// </summary>
    public static ErrorRecord? QuiesceError(KubeVirtVMSnapshot snapshot)
    {
        if (snapshot.Consistency is SnapshotConsistency.ApplicationConsistent or SnapshotConsistency.Offline)
        {
            return null;
        }

        string why = snapshot.Indications switch
        {
            var i when i.Contains("NoGuestAgent") =>
                "no QEMU guest agent was connected, so the guest's file systems were not frozen",
            var i when i.Contains("QuiesceTimeout") =>
                "the guest agent froze the file systems but the freeze window timed out (Windows VSS holds writes for at most about 10 seconds)",
            var i when i.Contains("QuiesceFailed") => "the guest agent failed to freeze the file systems",
            var i when i.Contains("Paused") => "the VM was paused, so the guest could not freeze its file systems",
            _ => $"the cluster reported the indications [{string.Join(", ", snapshot.Indications)}]",
        };
        return ErrorRecords.Create(new InvalidOperationException(
                $"Snapshot '{snapshot.Name}' of VM '{snapshot.VMName}' is crash-consistent, not application-consistent: {why}. " +
                "The snapshot was kept."),
            ErrorIds.QuiesceNotAchieved, ErrorCategory.InvalidResult, snapshot,
            "Install and start qemu-guest-agent in the guest (with VSS on Windows), check it with Test-GuestQuiesce, " +
            "then take a new snapshot. Remove this one with Remove-VMSnapshot if you do not want to keep it.");
    }

    /// <summary>The object for a final state.</summary>
    public static KubeVirtVMSnapshot ToObject(JsonElement final, KubeVirtConnection connection) =>
        SnapshotMapper.FromJson(final, connection.Origin, connection.Server.ToString());
}
