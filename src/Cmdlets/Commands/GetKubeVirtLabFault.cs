using System.Management.Automation;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Lab;

namespace VmSnapshot.Commands;

[Cmdlet(VerbsCommon.Get, "KubeVirtLabFault", HelpUri = HelpPages.Online + "Get-KubeVirtLabFault.md")]
[OutputType(typeof(KubeVirtLabFault))]
public sealed class GetKubeVirtLabFaultCommand : PSCmdlet
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

        WriteObject(LabFaults.Describe(lab!, server!), enumerateCollection: true);
    }
}
