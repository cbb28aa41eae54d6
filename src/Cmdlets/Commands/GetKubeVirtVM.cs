using System.Collections;
using System.Management.Automation;
using VmSnapshot.Commands.Completers;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Refusals;
using VmSnapshot.Core.Vms;

namespace VmSnapshot.Commands;

/// <summary>
/// <para type="synopsis">Gets KubeVirt virtual machines with their snapshot readiness.</para>
/// <para type="description">Lists VirtualMachines with status, run strategy, guest agent, OS, each volume's snapshot
/// support (and the cluster's reason when a volume is not captured) and the newest snapshot. The objects pipe into
/// every snapshot cmdlet.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "KubeVirtVM", DefaultParameterSetName = NamespaceSet)]
[OutputType(typeof(KubeVirtVM))]
public sealed class GetKubeVirtVMCommand : NamespacedCmdlet
{
    private const string NamespaceSet = "Namespace";
    private const string AllNamespacesSet = "AllNamespaces";

    #region Parameters

    /// <summary>
    /// <para type="description">VM name(s). Wildcards are supported. A name without wildcards that does not exist
    /// is reported as an error.</para>
    /// </summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [SupportsWildcards]
    [Alias("VMName")]
    [ValidateKubeName(AllowWildcards = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VmNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>
    /// <para type="description">Only VMs with these labels, e.g. @{ app = 'web' } (all must match).</para>
    /// </summary>
    [Parameter]
    public Hashtable? Label { get; set; }

    /// <summary><para type="description">Look in every namespace the caller may list.</para></summary>
    [Parameter(ParameterSetName = AllNamespacesSet, Mandatory = true)]
    [Alias("A")]
    public SwitchParameter AllNamespaces { get; set; }

    #endregion

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        NameFilter names = new(Name);
        string? selector = LabelParameter.ToSelector(Label, out ErrorRecord? labelError);
        if (labelError is not null)
        {
            ThrowTerminatingError(labelError);
        }

        string? @namespace = NamespaceOrAll(AllNamespaces);
        IReadOnlyList<KubeVirtVM> vms;
        try
        {
            vms = Await(VmReader.ListAsync(ResolveConnection(), @namespace, selector, names.IsMatch, CancelToken));
        }
        catch (KubeApiException e)
        {
            ThrowApiError(e, (object?)@namespace ?? "all namespaces");
            return;
        }

        foreach (KubeVirtVM vm in vms)
        {
            WriteObject(vm);
        }

        foreach (string missing in names.Literals.Where(n => vms.All(vm => !vm.Name.Equals(n, StringComparison.OrdinalIgnoreCase))))
        {
            WriteError(RefusalErrors.ToErrorRecord(Refusal.VMNotFound(missing, @namespace)));
        }
    }
}
