using System.Management.Automation;
using System.Text.Json;
using VmSnapshot.Commands.Completers;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Namespaces;
using VmSnapshot.Core.Refusals;
using VmSnapshot.Core.Snapshots;
using VmSnapshot.Core.Vms;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>Base of cmdlets that work in one namespace: adds -Namespace, defaulting to the connection's namespace.</summary>
public abstract class NamespacedCmdlet : KubeVirtCmdlet
{
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NamespaceCompleter))]
    [ValidateKubeName(KubeNameKind.Namespace)]
    [ValidateNotNullOrEmpty]
    public string? Namespace { get; set; }

    /// <summary>What <see cref="ReportMissingNamespace"/> learnt of each namespace it asked about, for the rest of the pipeline.</summary>
    private readonly Dictionary<string, bool?> _namespaceExists = new(StringComparer.Ordinal);

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

    /// <summary>
    /// For a read in one namespace that found nothing: when the namespace itself does not exist, says so once per
    /// pipeline (NamespaceNotFound) and returns true, so the caller leaves out the not-found errors of its names, which
    /// that one explains. One GET, and only on an empty result; a user who may not read namespaces hears nothing more.
    /// </summary>
    private protected bool ReportMissingNamespace(string? @namespace)
    {
        if (@namespace is null)
        {
            return false; // -AllNamespaces
        }

        if (!_namespaceExists.TryGetValue(@namespace, out bool? exists))
        {
            exists = Await(NamespaceReader.ExistsAsync(ResolveConnection(), @namespace, CancelToken));
            _namespaceExists[@namespace] = exists;
            if (exists == false)
            {
                // Not given here: it is the connection's, which the user may not know they chose.
                bool fromConnection = string.IsNullOrEmpty(Namespace);
                WriteError(RefusalErrors.ToErrorRecord(Refusal.NamespaceNotFound(@namespace, fromConnection)));
            }
        }

        return exists == false;
    }

    /// <summary>
    /// A literal -VMName with no snapshots may be a typo: when no such VM exists either, say so (a runbook that checks or
    /// prunes a misspelt VM must not read "no snapshots" as an answer). One GET per such name, and only then. A caller
    /// who may not read VMs cannot be told either way, and hears it in the verbose stream only.
    /// </summary>
    private protected void ReportMissingVms(NameFilter vmNames, ISet<string> vmsSeen, string? @namespace)
    {
        if (@namespace is null)
        {
            return; // -AllNamespaces: a VM name is not one object there.
        }

        foreach (string vm in vmNames.Literals.Where(v => !vmsSeen.Contains(v)))
        {
            JsonElement? found;
            try
            {
                found = Await(VmReader.GetRawAsync(ResolveConnection(), @namespace, vm, CancelToken));
            }
            catch (KubeApiException e) when (e.Kind == ApiErrorKind.Forbidden)
            {
                WriteVerbose($"Whether VM '{vm}' exists in namespace '{@namespace}' could not be checked: {e.Message}");
                continue;
            }
            catch (KubeApiException e) when (!IsFatalForCommand(e))
            {
                WriteApiError(e, vm);
                continue;
            }

            if (found is null)
            {
                WriteError(RefusalErrors.ToErrorRecord(Refusal.VMNotFound(vm, @namespace)));
            }
        }
    }

    /// <summary>
    /// Finds snapshots by name and VM name and hands each match to <paramref name="onFound"/> as it arrives. Literal
    /// names in one namespace are read one by one (a GET each, however large the namespace); anything with wildcards,
    /// or across all namespaces, is one paged list. Returns the literal names that matched nothing, for the caller's
    /// own not-found error. A failure to read one literal name is reported for that name and the others go on.
    /// </summary>
    private protected IReadOnlyList<string> SelectSnapshots(string? @namespace, NameFilter names, NameFilter vmNames,
        Action<KubeVirtVMSnapshot> onFound, IReadOnlyDictionary<string, string>? labels = null)
    {
        string? labelSelector = labels is null ? null : LabelSelector.Equality(labels);
        bool HasLabels(KubeVirtVMSnapshot snapshot) =>
            labels is null || labels.All(l => snapshot.Labels.TryGetValue(l.Key, out string? value) && value == l.Value);

        HashSet<string> found = new(StringComparer.OrdinalIgnoreCase);
        if (names.OnlyLiterals && @namespace is not null)
        {
            foreach (string name in names.Literals)
            {
                KubeVirtVMSnapshot? snapshot;
                try
                {
                    snapshot = Await(SnapshotReader.GetAsync(ResolveConnection(), @namespace, name, CancelToken));
                }
                catch (KubeApiException e) when (!IsFatalForCommand(e))
                {
                    WriteApiError(e, name);
                    found.Add(name); // reported already; not "not found"
                    continue;
                }

                if (snapshot is not null && vmNames.IsMatch(snapshot.VMName) && HasLabels(snapshot))
                {
                    found.Add(snapshot.Name);
                    onFound(snapshot);
                }
            }
        }
        else
        {
            AwaitEach(SnapshotReader.ListAsync(ResolveConnection(), @namespace, labelSelector, cancelToken: CancelToken), snapshot =>
            {
                if (names.IsMatch(snapshot.Name) && vmNames.IsMatch(snapshot.VMName))
                {
                    found.Add(snapshot.Name);
                    onFound(snapshot);
                }
            });
        }

        return names.Literals.Where(n => !found.Contains(n)).ToArray();
    }
}
