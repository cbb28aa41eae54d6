using System.Management.Automation;
using VmSnapshot.Commands.Completers;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>Base of cmdlets that work in one namespace: adds -Namespace, defaulting to the connection's namespace.</summary>
public abstract class NamespacedCmdlet : KubeVirtCmdlet
{
    /// <summary>
    /// <para type="description">The namespace to work in. Defaults to the connection's namespace (the kubeconfig
    /// context's, else 'default'). Binds by property name, so piped snapshot and VM objects keep their namespace.</para>
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NamespaceCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Namespace { get; set; }

    /// <summary>The namespace this command works in.</summary>
    protected string EffectiveNamespace => string.IsNullOrEmpty(Namespace) ? ResolveConnection().Namespace : Namespace;

    /// <summary>
    /// For cmdlets with -AllNamespaces: null means every namespace, else the one namespace. -Namespace together with
    /// -AllNamespaces is refused with a terminating error (they live in one parameter set because -Namespace also binds
    /// from piped objects).
    /// </summary>
    protected string? NamespaceOrAll(bool allNamespaces)
    {
        if (allNamespaces && MyInvocation.BoundParameters.ContainsKey(nameof(Namespace)))
        {
            ThrowTerminatingError(ErrorRecords.Create(
                new ArgumentException("-Namespace and -AllNamespaces cannot be used together. Use one of them."),
                ErrorIds.NamespaceConflict, ErrorCategory.InvalidArgument, Namespace, recommendedAction: null));
        }

        return allNamespaces ? null : EffectiveNamespace;
    }
}
