using System.Management.Automation;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Lab;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Commands;

/// <summary>
/// <para type="synopsis">Marks a lab's current state, to list later what changed after it.</para>
/// <para type="description">Takes a checkpoint of every object in a lab started with Start-KubeVirtLab. Pass it to
/// Get-KubeVirtLabChange -Since to list what was created, updated and deleted after it, so a Pester test can assert
/// that a change script touched exactly the objects it should. Taking a checkpoint copies nothing and changes
/// nothing in the lab.</para>
/// </summary>
[Cmdlet(VerbsData.Checkpoint, "KubeVirtLab")]
[OutputType(typeof(KubeVirtLabCheckpoint))]
public sealed class CheckpointKubeVirtLabCommand : PSCmdlet
{
    /// <summary>
    /// <para type="description">The lab, as returned by Start-KubeVirtLab or Get-KubeVirtLab. Default: the lab this
    /// session is connected to, else the only lab running in this process.</para>
    /// </summary>
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
