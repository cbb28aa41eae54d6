using System.Management.Automation;
using VmSnapshot.Commands.Completers;
using VmSnapshot.Commands.Infrastructure;

namespace VmSnapshot.Commands;

/// <summary>
/// <para type="synopsis">Gets the lab clusters running in this process.</para>
/// <para type="description">Returns the labs started with Start-KubeVirtLab that are still running.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "KubeVirtLab")]
[OutputType(typeof(KubeVirtLabInfo))]
public sealed class GetKubeVirtLabCommand : PSCmdlet
{
    /// <summary>
    /// <para type="description">Lab name(s); wildcards are supported.</para>
    /// </summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(LabNameCompleter))]
    public string[]? Name { get; set; }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        NameFilter filter = new(Name);
        foreach (KubeVirtLabInfo lab in LabRegistry.All().Where(l => filter.IsMatch(l.Name)))
        {
            WriteObject(lab);
        }
    }
}
