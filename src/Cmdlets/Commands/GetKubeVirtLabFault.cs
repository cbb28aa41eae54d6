using System.Management.Automation;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Lab;

namespace VmSnapshot.Commands;

/// <summary>
/// <para type="synopsis">Gets a lab's fault rules and how many requests each has made fail.</para>
/// <para type="description">Lists the rules set with Set-KubeVirtLabFault or the scenario's LabSettings faults, with
/// Matched (requests the rule applied to) and Injected (faults it caused), so a test can prove a fault really
/// happened before it asserts that the script rode through it.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "KubeVirtLabFault")]
[OutputType(typeof(KubeVirtLabFault))]
public sealed class GetKubeVirtLabFaultCommand : PSCmdlet
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

        WriteObject(LabFaults.Describe(lab!, server!), enumerateCollection: true);
    }
}
