using System.Management.Automation;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Snapshots;

namespace VmSnapshot.Commands;

/// <summary>
/// <para type="synopsis">Gets KubeVirt VM snapshots (VirtualMachineSnapshots).</para>
/// <para type="description">Lists the snapshots of a namespace, or of all namespaces, as typed objects. Names and
/// VM names take wildcards. Results stream to the pipeline page by page as the server sends them.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "VMSnapshot", DefaultParameterSetName = NamespaceSet)]
[OutputType(typeof(KubeVirtVMSnapshot))]
public sealed class GetVMSnapshotCommand : NamespacedCmdlet
{
    private const string NamespaceSet = "Namespace";
    private const string AllNamespacesSet = "AllNamespaces";

    #region Parameters

    /// <summary>
    /// <para type="description">Snapshot name(s). Wildcards are supported. A name without wildcards that does not
    /// exist is reported as an error; a wildcard that matches nothing is not.</para>
    /// </summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [Alias("SnapshotName")]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>
    /// <para type="description">Only snapshots of these VMs. Wildcards are supported. Binds by property name, so
    /// VM objects can be piped in.</para>
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? VMName { get; set; }

    /// <summary>
    /// <para type="description">Look in every namespace the caller may list.</para>
    /// </summary>
    [Parameter(ParameterSetName = AllNamespacesSet, Mandatory = true)]
    [Alias("A")]
    public SwitchParameter AllNamespaces { get; set; }

    #endregion

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (AllNamespaces && MyInvocation.BoundParameters.ContainsKey(nameof(Namespace)))
        {
            ThrowTerminatingError(ErrorRecords.Create(
                new ArgumentException("-Namespace and -AllNamespaces cannot be used together. Use one of them."),
                ErrorIds.NamespaceConflict, ErrorCategory.InvalidArgument, Namespace, recommendedAction: null));
        }

        NameFilter names = new(Name);
        NameFilter vmNames = new(VMName);
        string? @namespace = AllNamespaces ? null : EffectiveNamespace;

        try
        {
            if (names.OnlyLiterals && @namespace is not null)
            {
                GetEach(names.Literals, @namespace, vmNames);
            }
            else
            {
                ListMatching(@namespace, names, vmNames);
            }
        }
        catch (KubeApiException e)
        {
            ThrowApiError(e, (object?)@namespace ?? "all namespaces");
        }
    }

    private void GetEach(IEnumerable<string> literalNames, string @namespace, NameFilter vmNames)
    {
        foreach (string name in literalNames)
        {
            KubeVirtVMSnapshot? snapshot;
            try
            {
                snapshot = Await(SnapshotReader.GetAsync(ResolveConnection(), @namespace, name, CancelToken));
            }
            catch (KubeApiException e) when (!IsFatalForCommand(e))
            {
                WriteApiError(e, name);
                continue;
            }

            if (snapshot is null)
            {
                WriteNotFound(name, @namespace);
            }
            else if (vmNames.IsMatch(snapshot.VMName))
            {
                WriteObject(snapshot);
            }
        }
    }

    private void ListMatching(string? @namespace, NameFilter names, NameFilter vmNames)
    {
        HashSet<string> literalsSeen = new(StringComparer.OrdinalIgnoreCase);
        AwaitEach(SnapshotReader.ListAsync(ResolveConnection(), @namespace, cancelToken: CancelToken), snapshot =>
        {
            if (names.IsMatch(snapshot.Name) && vmNames.IsMatch(snapshot.VMName))
            {
                literalsSeen.Add(snapshot.Name);
                WriteObject(snapshot);
            }
        });

        foreach (string missing in names.Literals.Where(n => !literalsSeen.Contains(n)))
        {
            WriteNotFound(missing, @namespace);
        }
    }

    private void WriteNotFound(string name, string? @namespace)
    {
        string where = @namespace is null ? "any namespace" : $"namespace '{@namespace}'";
        WriteError(ErrorRecords.Create(
            new ItemNotFoundException($"No VM snapshot named '{name}' was found in {where}."),
            ErrorIds.SnapshotNotFound, ErrorCategory.ObjectNotFound, name,
            "Check the name with Get-VMSnapshot (wildcards are allowed), or add -AllNamespaces."));
    }
}
