using System.Collections;
using System.Management.Automation;
using VmSnapshot.Commands.Completers;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Refusals;
using VmSnapshot.Core.Snapshots;
using VmSnapshot.Core.Vms;

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

    /// <summary>Snapshot sizes per namespace read ("" for all), read once per pipeline.</summary>
    private readonly Dictionary<string, IReadOnlyDictionary<string, long>?> _sizes = new(StringComparer.Ordinal);

    #region Parameters

    /// <summary>
    /// <para type="description">Snapshot name(s). Wildcards are supported. A name without wildcards that does not
    /// exist is reported as an error; a wildcard that matches nothing is not.</para>
    /// </summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [Alias("SnapshotName")]
    [ValidateKubeName(AllowWildcards = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SnapshotNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>
    /// <para type="description">Only snapshots of these VMs. Wildcards are supported. Binds by property name, so
    /// VM objects can be piped in.</para>
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateKubeName(AllowWildcards = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VmNameCompleter))]
    public string[]? VMName { get; set; }

    /// <summary>
    /// <para type="description">Look in every namespace the caller may list.</para>
    /// </summary>
    [Parameter(ParameterSetName = AllNamespacesSet, Mandatory = true)]
    [Alias("A")]
    public SwitchParameter AllNamespaces { get; set; }

    /// <summary>
    /// <para type="description">Only snapshots older than this: an age (TimeSpan, e.g. (New-TimeSpan -Days 30)) or a
    /// point in time (DateTime).</para>
    /// </summary>
    [Parameter]
    [PointInTimeTransformation]
    public DateTime? OlderThan { get; set; }

    /// <summary><para type="description">Only snapshots in these phases.</para></summary>
    [Parameter]
    public SnapshotPhase[]? Phase { get; set; }

    /// <summary>
    /// <para type="description">Only the newest N usable (ready-to-use) snapshots of each VM, after the other filters,
    /// so -Latest 1 | Restore-VMSnapshot never picks a failed one. Add -IncludeUnusable to count failed and unready
    /// snapshots too.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? Latest { get; set; }

    /// <summary>
    /// <para type="description">With -Latest: count failed, unready and in-progress snapshots as well.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter IncludeUnusable { get; set; }

    /// <summary>
    /// <para type="description">Only snapshots with all of these labels, e.g. @{ 'vmsnapshot.io/policy' = 'nightly' }
    /// (a server-side label selector).</para>
    /// </summary>
    [Parameter]
    public Hashtable? Label { get; set; }

    /// <summary>
    /// <para type="description">Only snapshots whose expiry has passed (New-VMSnapshot -ExpiresAfter).</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Expired { get; set; }

    #endregion

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        IReadOnlyDictionary<string, string>? labels = LabelParameter.ToPairs(Label, out ErrorRecord? labelError);
        if (labelError is not null)
        {
            ThrowTerminatingError(labelError);
        }

        List<KubeVirtVMSnapshot>? held = Latest is null ? null : new();
        Action<KubeVirtVMSnapshot> write = held is null ? snapshot => WriteObject(snapshot) : held.Add;
        // A snapshot that left volumes out says no more on clusters before KubeVirt 1.9: its VM's spec tells.
        SnapshotCoverageResolver? coverage = null;
        NameFilter names = new(Name);
        NameFilter vmNames = new(VMName);
        string? @namespace = NamespaceOrAll(AllNamespaces);
        Action<KubeVirtVMSnapshot> emit = snapshot =>
            write(SnapshotSizes.Apply(
                Await((coverage ??= new SnapshotCoverageResolver(ResolveConnection())).ResolveAsync(snapshot, CancelToken)),
                SizesOf(@namespace)));

        try
        {
            HashSet<string> vmsSeen = new(StringComparer.OrdinalIgnoreCase);
            IReadOnlyList<string> missing = SelectSnapshots(@namespace, names, vmNames, snapshot =>
            {
                vmsSeen.Add(snapshot.VMName);
                if (PassesFilters(snapshot))
                {
                    emit(snapshot);
                }
            }, labels);
            foreach (string name in missing)
            {
                WriteNotFound(name, @namespace);
            }

            ReportMissingVms(vmNames, vmsSeen, @namespace);
        }
        catch (KubeApiException e)
        {
            ThrowApiError(e, (object?)@namespace ?? "all namespaces");
        }

        if (held is not null)
        {
            // -Latest needs every snapshot of a VM before it can tell which are the newest.
            WriteObject(RetentionRules.LatestPerVm(held, Latest!.Value, IncludeUnusable), enumerateCollection: true);
        }
    }

    /// <summary>
    /// The snapshot sizes of a namespace (all when null): one list of VolumeSnapshots on the first snapshot written,
    /// kept for the rest of the pipeline, so a thousand snapshots or piped VMs cost one request, not one each.
    /// </summary>
    private IReadOnlyDictionary<string, long>? SizesOf(string? @namespace)
    {
        string key = @namespace ?? string.Empty;
        if (!_sizes.TryGetValue(key, out IReadOnlyDictionary<string, long>? sizes))
        {
            sizes = Await(SnapshotSizes.ReadAsync(ResolveConnection(), @namespace, CancelToken));
            _sizes[key] = sizes;
        }

        return sizes;
    }

    /// <summary>The -OlderThan and -Phase filters, applied to every snapshot read.</summary>
    private bool PassesFilters(KubeVirtVMSnapshot snapshot) =>
        (OlderThan is not { } cutoff || (snapshot.CreationTime is { } created && created < cutoff)) &&
        (Phase is null || Phase.Contains(snapshot.Phase)) &&
        (!Expired || RetentionRules.IsExpired(snapshot, DateTime.Now));

    /// <summary>
    /// A literal -VMName with no snapshots may be a typo: when no such VM exists either, say so (a runbook that
    /// checks a misspelt VM must not read "no snapshots" as an answer). One GET per such name, and only then.
    /// </summary>
    private void ReportMissingVms(NameFilter vmNames, HashSet<string> vmsSeen, string? @namespace)
    {
        if (@namespace is null)
        {
            return; // -AllNamespaces: a VM name is not one object there.
        }

        foreach (string vm in vmNames.Literals.Where(v => !vmsSeen.Contains(v)))
        {
            if (Await(VmReader.GetRawAsync(ResolveConnection(), @namespace, vm, CancelToken)) is null)
            {
                WriteError(RefusalErrors.ToErrorRecord(Refusal.VMNotFound(vm, @namespace)));
            }
        }
    }

    private void WriteNotFound(string name, string? @namespace)
    {
        WriteError(RefusalErrors.ToErrorRecord(Refusal.SnapshotNotFound(name, @namespace)));
    }
}
