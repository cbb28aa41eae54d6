using System.Management.Automation;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>Translates the lab store's change records into the module's output objects and errors.</summary>
internal static class LabChanges
{
    public static KubeVirtLabChange ToOutput(StoreChange change) => new(
        change.Kind switch
        {
            StoreChangeKind.Created => LabChangeKind.Created,
            StoreChangeKind.Updated => LabChangeKind.Updated,
            StoreChangeKind.Deleted => LabChangeKind.Deleted,
            _ => LabChangeKind.CreatedAndDeleted,
        },
        change.Type.Kind, change.Type.StorageApiVersion, change.Namespace, change.Name, change.Uid,
        change.ChangedPaths.ToArray());

    public static ErrorRecord NotRunning(object target) => ErrorRecords.Create(
        new InvalidOperationException($"The lab of '{target}' is no longer running in this process."),
        ErrorIds.LabNotFound, ErrorCategory.ObjectNotFound, target,
        "Use a running lab (Get-KubeVirtLab lists them) or start one with Start-KubeVirtLab; a checkpoint belongs to " +
        "the lab it was taken in.");
}
