using System.Collections;
using System.Management.Automation;
using VmSnapshot.Commands.Completers;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Refusals;
using VmSnapshot.Core.Snapshots;

namespace VmSnapshot.Commands;

[Cmdlet(VerbsCommon.Get, "VMSnapshot", DefaultParameterSetName = NamespaceSet,
    HelpUri = HelpPages.Online + "Get-VMSnapshot.md")]
[OutputType(typeof(KubeVirtVMSnapshot))]
public sealed class GetVMSnapshotCommand : NamespacedCmdlet
{
    private const string NamespaceSet = "Namespace";
    private const string AllNamespacesSet = "AllNamespaces";

    /// <summary>Snapshot sizes per namespace read ("" for all), read once per pipeline.</summary>
    private readonly Dictionary<string, IReadOnlyDictionary<string, long>?> _sizes = new(StringComparer.Ordinal);

    #region Parameters

    [Parameter(Position = 0)]
    [SupportsWildcards]
    [Alias("SnapshotName")]
    [ValidateKubeName(AllowWildcards = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SnapshotNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateKubeName(AllowWildcards = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VmNameCompleter))]
    public string[]? VMName { get; set; }

    [Parameter(ParameterSetName = AllNamespacesSet, Mandatory = true)]
    [Alias("A")]
    public SwitchParameter AllNamespaces { get; set; }

    [Parameter]
    [PointInTimeTransformation]
    public DateTime? OlderThan { get; set; }

    [Parameter]
    public SnapshotPhase[]? Phase { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? Latest { get; set; }

    [Parameter]
    public SwitchParameter IncludeUnusable { get; set; }

    [Parameter]
    public Hashtable? Label { get; set; }

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
                CoverageRules.NeedsVm(snapshot)
                    ? Await((coverage ??= new SnapshotCoverageResolver(ResolveConnection())).ResolveAsync(snapshot, CancelToken))
                    : snapshot,
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
            if (vmsSeen.Count == 0 && ReportMissingNamespace(@namespace))
            {
                return;
            }

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
            (sizes, KubeApiException? failure) = Await(SnapshotSizes.ReadAsync(ResolveConnection(), @namespace, CancelToken));
            _sizes[key] = sizes;
            if (failure is not null)
            {
                string unknown = $"Size is left empty: the VolumeSnapshots that hold it could not be read. {failure.Message}";
                if (SnapshotSizes.IsExpected(failure))
                {
                    WriteVerbose(unknown); // a viewer without rights on VolumeSnapshots meets this on every call
                }
                else
                {
                    WriteWarning($"{unknown} Run the command again for sizes; the snapshots themselves were read.");
                }
            }
        }

        return sizes;
    }

    /// <summary>The -OlderThan and -Phase filters, applied to every snapshot read.</summary>
    private bool PassesFilters(KubeVirtVMSnapshot snapshot) =>
        (OlderThan is not { } cutoff || (snapshot.CreationTime is { } created && created < cutoff)) &&
        (Phase is null || Phase.Contains(snapshot.Phase)) &&
        (!Expired || RetentionRules.IsExpired(snapshot, DateTime.Now));

    private void WriteNotFound(string name, string? @namespace)
    {
        // With -VMName the snapshot may well exist, of another VM: say which VM was looked at.
        WriteError(RefusalErrors.ToErrorRecord(Refusal.SnapshotNotFound(name, @namespace,
            vmName: VMName is { Length: > 0 } vms ? string.Join("' or '", vms) : null)));
    }
}
