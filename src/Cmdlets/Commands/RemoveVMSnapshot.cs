using System.Collections;
using System.Management.Automation;
using VmSnapshot.Commands.Completers;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Refusals;
using VmSnapshot.Core.Snapshots;

namespace VmSnapshot.Commands;

/// <summary>
/// <para type="synopsis">Deletes KubeVirt VM snapshots, by name, by VM, or by a retention rule.</para>
/// <para type="description">Deletes the selected VirtualMachineSnapshots. -Label, -KeepLast, -OlderThan and -Expired
/// turn it into a one-line retention policy, applied per VM, that only counts usable snapshots as kept and never
/// deletes a snapshot still being taken or one a restore or clone in progress reads from. Prompts before each
/// deletion unless -Confirm:$false; -WhatIf lists exactly what would go.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "VMSnapshot", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
    DefaultParameterSetName = InputObjectSet)]
[OutputType(typeof(KubeVirtVMSnapshot))]
public sealed class RemoveVMSnapshotCommand : FollowingCmdlet
{
    private const string NameSet = "Name";
    private const string VMNameSet = "VMName";
    private const string InputObjectSet = "InputObject";

    private readonly List<KubeVirtVMSnapshot> _candidates = new();
    private readonly HashSet<string> _candidateKeys = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, string>? _labels;

    #region Parameters

    /// <summary>
    /// <para type="description">What to delete, from the pipeline: snapshot objects (from Get-VMSnapshot, or mocks
    /// typed VmSnapshot.KubeVirtVMSnapshot) are deleted themselves; VM objects (anything with a VMName, e.g. from
    /// Get-KubeVirtVM) select that VM's snapshots; strings are snapshot names. The kind is decided per object, by its
    /// type, because letting PowerShell bind by property name would read a snapshot's VMName and select every
    /// snapshot of its VM.</para>
    /// </summary>
    [Parameter(ParameterSetName = InputObjectSet, Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public PSObject[] InputObject { get; set; } = Array.Empty<PSObject>();

    /// <summary>
    /// <para type="description">Snapshot name(s). Wildcards are supported. A literal name that does not exist is an
    /// error.</para>
    /// </summary>
    [Parameter(ParameterSetName = NameSet, Mandatory = true, Position = 0)]
    [SupportsWildcards]
    [Alias("SnapshotName")]
    [ValidateKubeName(AllowWildcards = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SnapshotNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>
    /// <para type="description">Delete snapshots of these VMs (wildcards supported). With -Name, narrows the names to
    /// these VMs.</para>
    /// </summary>
    [Parameter(ParameterSetName = VMNameSet, Mandatory = true)]
    [Parameter(ParameterSetName = NameSet)]
    [SupportsWildcards]
    [ValidateKubeName(AllowWildcards = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VmNameCompleter))]
    public string[]? VMName { get; set; }

    /// <summary>
    /// <para type="description">Only snapshots with all of these labels, e.g. @{ 'vmsnapshot.io/policy' = 'nightly' }
    /// (a server-side label selector): a runbook deletes only the snapshots it took itself.</para>
    /// </summary>
    [Parameter(ParameterSetName = NameSet)]
    [Parameter(ParameterSetName = VMNameSet)]
    [Parameter(ParameterSetName = InputObjectSet)]
    public Hashtable? Label { get; set; }

    /// <summary>
    /// <para type="description">Keep the newest N usable (ready-to-use) snapshots of each VM and delete the rest of the
    /// selection. Failed or unready snapshots never count as kept; snapshots still being taken are never deleted.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? KeepLast { get; set; }

    /// <summary>
    /// <para type="description">Delete only snapshots older than this: an age (a positive TimeSpan such as
    /// (New-TimeSpan -Days 30), or '7d', '12h', '30m') or a point in time in the past (DateTime).</para>
    /// </summary>
    [Parameter]
    [PointInTimeTransformation]
    public DateTime? OlderThan { get; set; }

    /// <summary>
    /// <para type="description">Delete only snapshots whose expiry has passed (New-VMSnapshot -ExpiresAfter).
    /// Snapshots without an expiry are never selected.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Expired { get; set; }

    /// <summary>
    /// <para type="description">Wait until each snapshot is really gone (its finalizers have run).</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>
    /// <para type="description">How long -Wait waits for each snapshot to be gone, at most: more than 0, at most 24
    /// days. Default: 5 minutes. When it runs out the deletion goes on in the cluster and an error says so.</para>
    /// </summary>
    [Parameter]
    [ValidateTimeSpan]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// <para type="description">How many snapshots are deleted (and with -Wait, waited for) at the same time.
    /// Default: 10.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, 100)]
    public int ThrottleLimit { get; set; } = 10;

    /// <summary>
    /// <para type="description">Return each deleted snapshot.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    /// <inheritdoc/>
    protected override void BeginProcessing()
    {
        _labels = LabelParameter.ToPairs(Label, out ErrorRecord? labelError);
        if (labelError is not null)
        {
            ThrowTerminatingError(labelError);
        }

        base.BeginProcessing();
    }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        try
        {
            if (ParameterSetName != InputObjectSet)
            {
                Select(EffectiveNamespace, new NameFilter(ParameterSetName == NameSet ? Name : null), new NameFilter(VMName), _labels);
                return;
            }

            foreach (PSObject item in InputObject)
            {
                SelectFromPipeline(item);
            }
        }
        catch (KubeApiException e)
        {
            ThrowApiError(e, EffectiveNamespace);
        }
    }

    private void SelectFromPipeline(PSObject item)
    {
        PipelineInput input = PipelineInput.Classify(item);
        string @namespace = input.Namespace ?? EffectiveNamespace;
        switch (input.Kind)
        {
            case PipelineInputKind.Snapshot when input.Snapshot is { } snapshot:
                if (ForeignObjectError(snapshot) is { } foreign)
                {
                    WriteError(foreign);
                }
                else if (_labels is null || _labels.All(l => snapshot.Labels.TryGetValue(l.Key, out string? value) && value == l.Value))
                {
                    AddCandidate(snapshot);
                }

                break;
            case PipelineInputKind.Snapshot or PipelineInputKind.Name:
                // A name, a mock or a deserialized snapshot: read the real one, so retention sees its real time and VM.
                Select(@namespace, new NameFilter(new[] { input.Name }), new NameFilter(null), _labels);
                break;
            case PipelineInputKind.VM:
                Select(@namespace, new NameFilter(null), new NameFilter(new[] { input.Name }), _labels);
                break;
            default:
                WriteError(ErrorRecords.Create(new ArgumentException(
                        $"Cannot tell what to delete from the piped {item.BaseObject.GetType().Name}: it is neither a snapshot, " +
                        "nor has it a VMName, nor is it a name."),
                    ErrorIds.InvalidInputObject, ErrorCategory.InvalidArgument, item,
                    "Pipe snapshots from Get-VMSnapshot, VMs from Get-KubeVirtVM, or snapshot names."));
                break;
        }
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        RetentionPolicy policy = new(KeepLast, OlderThan, Expired);
        KubeVirtConnection connection = ResolveConnection();
        RetentionPlan plan = RetentionRules.Plan(_candidates, policy, InUse(connection), DateTime.Now);
        WriteVerbose($"{_candidates.Count} snapshot(s) selected; {plan.Remove.Count} to delete, {plan.Spared.Count} spared.");
        foreach (SparedSnapshot spared in plan.Spared)
        {
            if (spared.InUse && !policy.IsRule)
            {
                WriteError(ErrorRecords.Create(new InvalidOperationException(
                        $"Snapshot '{spared.Snapshot}' was not deleted: {spared.Reason}. Deleting it would break that operation midway."),
                    ErrorIds.SnapshotInUse, ErrorCategory.ResourceBusy, spared.Snapshot,
                    "Wait for the restore or clone to finish (Get-KubeVirtVM shows RestoreInProgress), then delete the snapshot."));
            }
            else
            {
                WriteWarning($"Kept snapshot '{spared.Snapshot}': {spared.Reason}.");
            }
        }

        // Confirmation stays one by one on the pipeline thread; the deletions (and with -Wait, the waits for their
        // finalizers) run -ThrottleLimit at a time, so 200 snapshots cost about what a few do.
        // Not disposed when Ctrl+C ends the wait early (base.EndProcessing throws): deletions still running use them.
        SemaphoreSlim throttle = new(ThrottleLimit);
        CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(CancelToken);
        foreach (KubeVirtVMSnapshot snapshot in plan.Remove)
        {
            if (_fatal is not null)
            {
                break;
            }

            if (!ShouldProcess($"snapshot '{snapshot.Namespace}/{snapshot.Name}' of VM '{snapshot.VMName}' on '{connection.Origin}'", "Delete"))
            {
                continue;
            }

            StartOperation(() => DeleteAsync(connection, snapshot, throttle, stop), snapshot,
                e => e.Kind == ApiErrorKind.NotFound ? NotFound(snapshot.Name, snapshot.Namespace) : ErrorRecords.FromApi(e, snapshot));
        }

        base.EndProcessing(); // returns once every deletion has ended
        throttle.Dispose();
        stop.Dispose();
        if (_fatal is { } fatal)
        {
            // The credentials or the connection failed: every other deletion would fail the same way.
            ThrowApiError(fatal.Error, fatal.Snapshot);
        }
    }

    private void Select(string @namespace, NameFilter names, NameFilter vmNames, IReadOnlyDictionary<string, string>? labels = null)
    {
        foreach (string missing in SelectSnapshots(@namespace, names, vmNames, AddCandidate, labels))
        {
            WriteError(NotFound(missing, @namespace));
        }
    }

    /// <summary>The snapshots restores and clones in progress read from, in the namespaces of the candidates.</summary>
    private IReadOnlyDictionary<string, string> InUse(KubeVirtConnection connection)
    {
        if (_candidates.Count == 0)
        {
            return new Dictionary<string, string>();
        }

        try
        {
            return Await(SnapshotUsage.InUseAsync(connection, _candidates.Select(c => c.Namespace), CancelToken));
        }
        catch (KubeApiException e)
        {
            // Without knowing which snapshots a restore or clone reads, nothing can be deleted safely.
            ThrowApiError(e, _candidates[0].Namespace);
            throw;
        }
    }

    private FatalFailure? _fatal;

    private void AddCandidate(KubeVirtVMSnapshot snapshot)
    {
        if (_candidateKeys.Add($"{snapshot.Namespace}/{snapshot.Name}"))
        {
            _candidates.Add(snapshot);
        }
    }

    private async Task DeleteAsync(KubeVirtConnection connection, KubeVirtVMSnapshot snapshot, SemaphoreSlim throttle,
        CancellationTokenSource stop)
    {
        try
        {
            await throttle.WaitAsync(stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_fatal is not null)
        {
            return; // another deletion met a failure that ends the command
        }

        try
        {
            if (!Wait)
            {
                await SnapshotWriter.DeleteAsync(connection, snapshot.Namespace, snapshot.Name, stop.Token).ConfigureAwait(false);
                PostToPipeline(() => WriteVerbose($"{snapshot.Namespace}/{snapshot.Name}: deleted."));
            }
            else
            {
                await SnapshotDeletion.DeleteAndWaitAsync(connection, Watches(connection), snapshot.Namespace, snapshot.Name,
                    Timeout, stop.Token).ConfigureAwait(false);
            }

            if (PassThru)
            {
                PostToPipeline(() => WriteObject(snapshot));
            }
        }
        catch (KubeApiException e) when (IsFatalForCommand(e))
        {
            Interlocked.CompareExchange(ref _fatal, new FatalFailure(e, snapshot), null);
            stop.Cancel();
        }
        catch (OperationCanceledException) when (_fatal is not null && !CancelToken.IsCancellationRequested)
        {
            // Stopped because another deletion met a failure that ends the command.
        }
        finally
        {
            throttle.Release();
        }
    }

    /// <summary>The first failure that ends the command, and the snapshot it happened on.</summary>
    private sealed record FatalFailure(KubeApiException Error, KubeVirtVMSnapshot Snapshot);

    private static ErrorRecord NotFound(string name, string @namespace) =>
        RefusalErrors.ToErrorRecord(Refusal.SnapshotNotFound(name, @namespace, "Nothing was deleted."));
}
