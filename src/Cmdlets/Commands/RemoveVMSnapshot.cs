using System.Collections;
using System.Management.Automation;
using VmSnapshot.Commands.Completers;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Refusals;
using VmSnapshot.Core.Snapshots;

namespace VmSnapshot.Commands;

[Cmdlet(VerbsCommon.Remove, "VMSnapshot", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
    DefaultParameterSetName = InputObjectSet,
    HelpUri = HelpPages.Online + "Remove-VMSnapshot.md")]
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

    // Snapshot, VM or name is decided per object, by its type: binding by property name would read a snapshot's
    // VMName and select every snapshot of its VM.
    [Parameter(ParameterSetName = InputObjectSet, Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public PSObject[] InputObject { get; set; } = Array.Empty<PSObject>();

    [Parameter(ParameterSetName = NameSet, Mandatory = true, Position = 0)]
    [SupportsWildcards]
    [Alias("SnapshotName")]
    [ValidateKubeName(AllowWildcards = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(SnapshotNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    [Parameter(ParameterSetName = VMNameSet, Mandatory = true)]
    [Parameter(ParameterSetName = NameSet)]
    [SupportsWildcards]
    [ValidateKubeName(AllowWildcards = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VmNameCompleter))]
    public string[]? VMName { get; set; }

    [Parameter(ParameterSetName = NameSet)]
    [Parameter(ParameterSetName = VMNameSet)]
    [Parameter(ParameterSetName = InputObjectSet)]
    public Hashtable? Label { get; set; }

    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? KeepLast { get; set; }

    [Parameter]
    [PointInTimeTransformation]
    public DateTime? OlderThan { get; set; }

    [Parameter]
    public SwitchParameter Expired { get; set; }

    [Parameter]
    public SwitchParameter Wait { get; set; }

    [Parameter]
    [ValidateTimeSpan]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    [Parameter]
    [ValidateRange(1, 100)]
    public int ThrottleLimit { get; set; } = 10;

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
                Select(EffectiveNamespace, new NameFilter(ParameterSetName == NameSet ? Name : null), new NameFilter(VMName), _labels,
                    checkVms: true);
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
            case PipelineInputKind.Snapshot:
                // A mock, a deserialized snapshot or a row: read the real one, so retention sees its real time and VM. It
                // is one snapshot, of the VM it names: a '*' typed into a CSV cell is not a wildcard for "every snapshot".
                if (WildcardPattern.ContainsWildcardCharacters(input.Name) ||
                    (input.VMName is { } vmPattern && WildcardPattern.ContainsWildcardCharacters(vmPattern)))
                {
                    WriteError(InvalidInput(item,
                        $"The piped object names snapshot '{input.Name}'{(input.VMName is null ? string.Empty : $" of VM '{input.VMName}'")}: " +
                        "a piped snapshot is one snapshot, and wildcards are not names. Nothing was deleted.",
                        "Use -Name or -VMName for wildcards, e.g. Remove-VMSnapshot -VMName web -Name 'nightly-*'."));
                    break;
                }

                Select(@namespace, new NameFilter(new[] { input.Name }), new NameFilter(input.VMName is { } vm ? new[] { vm } : null),
                    _labels, vmName: input.VMName);
                break;
            case PipelineInputKind.Name:
                Select(@namespace, new NameFilter(new[] { input.Name }), new NameFilter(null), _labels);
                break;
            case PipelineInputKind.VM:
                Select(@namespace, new NameFilter(null), new NameFilter(new[] { input.Name }), _labels);
                break;
            default:
                WriteError(InvalidInput(item,
                    $"Cannot tell what to delete from the piped {item.BaseObject.GetType().Name}: it is neither a snapshot, " +
                    "nor has it a VMName, nor is it a name.",
                    "Pipe snapshots from Get-VMSnapshot, VMs from Get-KubeVirtVM, or snapshot names."));
                break;
        }
    }

    private static ErrorRecord InvalidInput(PSObject item, string message, string action) =>
        ErrorRecords.Create(new ArgumentException(message), ErrorIds.InvalidInputObject, ErrorCategory.InvalidArgument, item, action);

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
                e => e.Kind == ApiErrorKind.NotFound ? NotFound(snapshot.Name, snapshot.Namespace, snapshot.VMName) : ErrorRecords.FromApi(e, snapshot));
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

    /// <summary>
    /// Adds the snapshots that match to the candidates. What matched nothing is said: a missing namespace once, else each
    /// literal name, and with <paramref name="checkVms"/> each literal -VMName that is no VM (a retention job over a
    /// misspelt VM would otherwise never delete anything, and never say why).
    /// </summary>
    private void Select(string @namespace, NameFilter names, NameFilter vmNames, IReadOnlyDictionary<string, string>? labels = null,
        bool checkVms = false, string? vmName = null)
    {
        HashSet<string> vmsSeen = new(StringComparer.OrdinalIgnoreCase);
        IReadOnlyList<string> missing = SelectSnapshots(@namespace, names, vmNames, snapshot =>
        {
            vmsSeen.Add(snapshot.VMName);
            AddCandidate(snapshot);
        }, labels);
        if (vmsSeen.Count == 0 && ReportMissingNamespace(@namespace))
        {
            return;
        }

        foreach (string name in missing)
        {
            // With a VM named, the snapshot may well exist, of another VM: say which VM was looked at.
            WriteError(NotFound(name, @namespace, vmName ?? (VMName is { Length: > 0 } vms ? string.Join("' or '", vms) : null)));
        }

        if (checkVms)
        {
            ReportMissingVms(vmNames, vmsSeen, @namespace);
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

    private static ErrorRecord NotFound(string name, string @namespace, string? vmName) =>
        RefusalErrors.ToErrorRecord(Refusal.SnapshotNotFound(name, @namespace, "Nothing was deleted.", vmName));
}
