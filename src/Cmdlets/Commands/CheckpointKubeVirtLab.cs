using System.Management.Automation;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Lab;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Commands;

[Cmdlet(VerbsData.Checkpoint, "KubeVirtLab", HelpUri = HelpPages.Online + "Checkpoint-KubeVirtLab.md")]
[OutputType(typeof(KubeVirtLabCheckpoint))]
public sealed class CheckpointKubeVirtLabCommand : PSCmdlet
{
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public KubeVirtLabInfo? Lab { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        (KubeVirtLabInfo? lab, LabServer? server, ErrorRecord? error) = LabTarget.Resolve(Lab);
        if (error is not null)
        {
            WriteError(error);
            return;
        }

        StoreCheckpoint checkpoint = server!.Store.Checkpoint();
        WriteObject(new KubeVirtLabCheckpoint(lab!.Name, lab.Id, checkpoint.ResourceVersion, checkpoint.Time, checkpoint));
    }
}
