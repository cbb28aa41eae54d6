using System.Management.Automation;
using VmSnapshot.Commands.Completers;
using VmSnapshot.Commands.Infrastructure;

namespace VmSnapshot.Commands;

[Cmdlet(VerbsCommon.Get, "KubeVirtLab", HelpUri = HelpPages.Online + "Get-KubeVirtLab.md")]
[OutputType(typeof(KubeVirtLabInfo))]
public sealed class GetKubeVirtLabCommand : PSCmdlet
{
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
