using System.Management.Automation;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Lab;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Commands;

/// <summary>
/// <para type="synopsis">Lists every object a lab saw created, updated or deleted after a checkpoint.</para>
/// <para type="description">Compares a lab's objects now with a checkpoint taken by Checkpoint-KubeVirtLab: objects
/// that are new (Created), changed (Updated, with the JSON paths that changed), gone (Deleted), or created and
/// deleted again in between (CreatedAndDeleted). An object replaced under the same name is its old uid Deleted and
/// its new uid Created. metadata.resourceVersion and metadata.managedFields never count as a change. Use it in
/// Pester to assert that a script touched nothing but the objects it should; Events recorded by the lab's
/// controllers are changes too (exclude them with -ExcludeKind Event).</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "KubeVirtLabChange")]
[OutputType(typeof(KubeVirtLabChange))]
public sealed class GetKubeVirtLabChangeCommand : PSCmdlet
{
    /// <summary>
    /// <para type="description">The checkpoint, as returned by Checkpoint-KubeVirtLab.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public KubeVirtLabCheckpoint? Since { get; set; }

    /// <summary>
    /// <para type="description">Do not count changes under status (controllers reporting progress): an object whose
    /// only changes are in its status is not listed, and status paths are left out of ChangedPaths.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter IgnoreStatus { get; set; }

    /// <summary>
    /// <para type="description">Only these kinds (e.g. VirtualMachineSnapshot, PersistentVolumeClaim); wildcards
    /// are supported.</para>
    /// </summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Kind { get; set; }

    /// <summary>
    /// <para type="description">Leave out these kinds (e.g. Event); wildcards are supported.</para>
    /// </summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? ExcludeKind { get; set; }

    /// <summary>
    /// <para type="description">Only objects in these namespaces; wildcards are supported. Cluster-scoped objects
    /// are left out when this is given.</para>
    /// </summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Namespace { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        KubeVirtLabCheckpoint mark = Since!;
        if (LabRegistry.ServerOf(mark.LabId) is not LabServer server || mark.State is not StoreCheckpoint checkpoint)
        {
            WriteError(LabChanges.NotRunning(mark));
            return;
        }

        NameFilter kinds = new(Kind);
        NameFilter excluded = new(ExcludeKind);
        NameFilter namespaces = new(Namespace);
        IReadOnlyList<StoreChange> changes;
        try
        {
            changes = server.Store.ChangesSince(checkpoint, IgnoreStatus);
        }
        catch (InvalidOperationException e)
        {
            WriteError(ErrorRecords.Create(e, ErrorIds.CheckpointExpired, ErrorCategory.InvalidArgument, mark,
                "Take a new checkpoint with Checkpoint-KubeVirtLab closer to the change you want to see."));
            return;
        }

        foreach (StoreChange change in changes)
        {
            if ((Kind is not null && !kinds.IsMatch(change.Type.Kind))
                || (ExcludeKind is not null && excluded.IsMatch(change.Type.Kind))
                || (Namespace is not null && (change.Namespace is null || !namespaces.IsMatch(change.Namespace))))
            {
                continue;
            }

            WriteObject(LabChanges.ToOutput(change));
        }
    }
}
