using System.Management.Automation;
using VmSnapshot.Core.Refusals;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// The one mapping from the engine's refusals to ErrorRecords: each kind has a stable ErrorId, a category and the next
/// step in the user's terms (parameters and cmdlets, which the engine does not know).
/// </summary>
internal static class RefusalErrors
{
    public static ErrorRecord ToErrorRecord(Refusal refusal)
    {
        (string id, ErrorCategory category, string action) = refusal.Kind switch
        {
            RefusalKind.VMNotFound => (ErrorIds.VMNotFound, ErrorCategory.ObjectNotFound,
                "Check the VM name with Get-KubeVirtVM (wildcards are allowed) and the namespace, or add -AllNamespaces."),
            RefusalKind.NamespaceNotFound => (ErrorIds.NamespaceNotFound, ErrorCategory.ObjectNotFound,
                "Check the name: Get-KubeVirtVM -AllNamespaces shows the namespaces that hold VMs, kubectl get namespaces lists them all."),
            RefusalKind.SnapshotNotFound => (ErrorIds.SnapshotNotFound, ErrorCategory.ObjectNotFound,
                "Check the name with Get-VMSnapshot (wildcards are allowed) and the namespace."),
            RefusalKind.CloneSourceNotFound => (ErrorIds.CloneSourceNotFound, ErrorCategory.ObjectNotFound,
                "Check the source with Get-KubeVirtVM or Get-VMSnapshot and the namespace."),
            RefusalKind.SnapshotFailed => (ErrorIds.SnapshotNotUsable, ErrorCategory.InvalidOperation,
                "Pick another snapshot: Get-VMSnapshot -VMName <vm> | Where-Object ReadyToUse."),
            RefusalKind.SnapshotNotReady => (ErrorIds.SnapshotNotReady, ErrorCategory.ResourceUnavailable,
                "Wait for it with Wait-VMSnapshot, then try again."),
            RefusalKind.RestoreTargetExists => (ErrorIds.RestoreTargetExists, ErrorCategory.ResourceExists,
                "Choose another -NewVMName, or roll that VM back by leaving out -NewVMName."),
            RefusalKind.CloneTargetExists => (ErrorIds.CloneTargetExists, ErrorCategory.ResourceExists,
                "Choose another -Name."),
            RefusalKind.RestoreInProgress => (ErrorIds.RestoreInProgress, ErrorCategory.ResourceBusy,
                "Wait for that restore to finish, then try again."),
            RefusalKind.VMRunning => (ErrorIds.VMRunning, ErrorCategory.ResourceBusy,
                "Add -StopVM to stop it for the restore (and -StartVM to start it again afterwards)."),
            RefusalKind.InPlaceRestoreToNewVM => (ErrorIds.InPlaceRestoreToNewVM, ErrorCategory.InvalidArgument,
                "Leave out -VolumeRestorePolicy (a new VM gets PrefixTargetName: new claims named <vm>-<volume>), or use RandomizeNames."),
            RefusalKind.VolumesNotCaptured => (ErrorIds.VolumesNotCaptured, ErrorCategory.InvalidOperation,
                "Ask the cluster administrator for a VolumeSnapshotClass for those storage classes. New-VMSnapshot without -RequireAllVolumes takes the snapshot anyway, without their data; a clone cannot leave them out."),
            RefusalKind.NetworkNotFound => (ErrorIds.NetworkNotFound, ErrorCategory.InvalidArgument,
                "Use the network names shown, as keys of -NetworkMap."),
            RefusalKind.TargetNetworkNotFound => (ErrorIds.TargetNetworkNotFound, ErrorCategory.ObjectNotFound,
                "Give an existing NetworkAttachmentDefinition as 'name' (in the VM's namespace) or 'namespace/name' (kubectl get network-attachment-definitions -A)."),
            RefusalKind.ChangeNotProtected => (ErrorIds.ChangeNotProtected, ErrorCategory.InvalidOperation,
                "Ask for a VolumeSnapshotClass for the disks named (Test-GuestQuiesce shows them), or add -AllowPartial to accept it."),
            RefusalKind.SnapshotBlocked => (ErrorIds.SnapshotBlocked, ErrorCategory.PermissionDenied,
                "Run Test-GuestQuiesce on the VM: it names the missing right or the disabled feature gate."),
            RefusalKind.QuiesceNotPossible => (ErrorIds.QuiesceNotPossible, ErrorCategory.InvalidOperation,
                "Fix the guest agent (Test-GuestQuiesce says what is wrong), or leave out -RequireQuiesce."),
            RefusalKind.VMBusy => (ErrorIds.VMBusy, ErrorCategory.ResourceBusy,
                "Wait for that snapshot or restore to finish (Get-KubeVirtVM shows it), then run the change again."),
            RefusalKind.VMInChange => (ErrorIds.VMInChange, ErrorCategory.ResourceBusy,
                "Wait for that change to finish. If its session died, set the snapshot's vmsnapshot.io/change-state annotation to Abandoned (kubectl annotate --overwrite)."),
            RefusalKind.VMUnhealthy => (ErrorIds.VMUnhealthyBeforeChange, ErrorCategory.InvalidOperation,
                "Repair the VM first (Test-VMHealth shows what fails), or leave out checks that do not apply to it with -SkipCheck."),
            _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal.Kind, "A refusal kind without an ErrorId."),
        };

        return ErrorRecords.Create(Exception(refusal, category), id, category, refusal.Target, action);
    }

    private static Exception Exception(Refusal refusal, ErrorCategory category) => category switch
    {
        ErrorCategory.ObjectNotFound => new ItemNotFoundException(refusal.Message),
        ErrorCategory.InvalidArgument => new ArgumentException(refusal.Message),
        _ => new InvalidOperationException(refusal.Message),
    };
}
