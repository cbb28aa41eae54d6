using System.Management.Automation;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Lab;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Commands;

[Cmdlet(VerbsCommon.Get, "KubeVirtLabChange", HelpUri = HelpPages.Online + "Get-KubeVirtLabChange.md")]
[OutputType(typeof(KubeVirtLabChange))]
public sealed class GetKubeVirtLabChangeCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public KubeVirtLabCheckpoint? Since { get; set; }

    [Parameter]
    public SwitchParameter IgnoreStatus { get; set; }

    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Kind { get; set; }

    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? ExcludeKind { get; set; }

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
