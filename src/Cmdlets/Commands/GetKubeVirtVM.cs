using System.Collections;
using System.Management.Automation;
using VmSnapshot.Commands.Completers;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Refusals;
using VmSnapshot.Core.Vms;

namespace VmSnapshot.Commands;

[Cmdlet(VerbsCommon.Get, "KubeVirtVM", DefaultParameterSetName = NamespaceSet,
    HelpUri = HelpPages.Online + "Get-KubeVirtVM.md")]
[OutputType(typeof(KubeVirtVM))]
public sealed class GetKubeVirtVMCommand : NamespacedCmdlet
{
    private const string NamespaceSet = "Namespace";
    private const string AllNamespacesSet = "AllNamespaces";

    #region Parameters

    [Parameter(Position = 0, ValueFromPipeline = true)]
    [SupportsWildcards]
    [Alias("VMName")]
    [ValidateKubeName(AllowWildcards = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VmNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter]
    public Hashtable? Label { get; set; }

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

        if (vms.Count == 0 && ReportMissingNamespace(@namespace))
        {
            return;
        }

        foreach (string missing in names.Literals.Where(n => vms.All(vm => !vm.Name.Equals(n, StringComparison.OrdinalIgnoreCase))))
        {
            WriteError(RefusalErrors.ToErrorRecord(Refusal.VMNotFound(missing, @namespace)));
        }
    }
}
