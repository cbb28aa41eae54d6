using System.Management.Automation;
using VmSnapshot.Commands.Completers;
using VmSnapshot.Commands.Infrastructure;

namespace VmSnapshot.Commands;

[Cmdlet(VerbsLifecycle.Stop, "KubeVirtLab", SupportsShouldProcess = true, DefaultParameterSetName = NameSet,
    HelpUri = HelpPages.Online + "Stop-KubeVirtLab.md")]
[OutputType(typeof(void))]
public sealed class StopKubeVirtLabCommand : PSCmdlet
{
    private const string NameSet = "Name";
    private const string LabSet = "Lab";

    [Parameter(ParameterSetName = LabSet, Mandatory = true, ValueFromPipeline = true, Position = 0)]
    [ValidateNotNull]
    public KubeVirtLabInfo[]? Lab { get; set; }

    [Parameter(ParameterSetName = NameSet, Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(LabNameCompleter))]
    public string[]? Name { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        IEnumerable<KubeVirtLabInfo> targets;
        if (ParameterSetName == LabSet)
        {
            targets = Lab!;
        }
        else
        {
            NameFilter filter = new(Name);
            KubeVirtLabInfo[] running = LabRegistry.All().ToArray();
            targets = running.Where(l => filter.IsMatch(l.Name)).ToArray();
            foreach (string missing in filter.Literals.Where(n => running.All(l => l.Name != n)))
            {
                WriteError(ErrorRecords.Create(new ItemNotFoundException($"No running lab is named '{missing}'."),
                    ErrorIds.LabNotFound, ErrorCategory.ObjectNotFound, missing,
                    "List the running labs with Get-KubeVirtLab."));
            }
        }

        foreach (KubeVirtLabInfo lab in targets)
        {
            if (!ShouldProcess($"lab '{lab.Name}' at {lab.Server}", "Stop"))
            {
                continue;
            }

            LabRegistry.Stop(lab);
            if (SessionConnections.Current is { } current && current.Server == lab.Server)
            {
                SessionConnections.ClearStoppedLab(lab.Name);
                WriteVerbose($"The session was connected to lab '{lab.Name}'; that connection was cleared. Choose the " +
                    "next cluster with Connect-KubeVirt (or Disconnect-KubeVirt for the kubeconfig's current context).");
            }
        }
    }
}
