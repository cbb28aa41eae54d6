using System.Management.Automation;
using VmSnapshot.Commands.Completers;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Changes;
using VmSnapshot.Core.Health;
using VmSnapshot.Core.Refusals;
using VmSnapshot.Core.Vms;

namespace VmSnapshot.Commands;

[Cmdlet(VerbsLifecycle.Invoke, "VMChange", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
    DefaultParameterSetName = ChangeSet,
    HelpUri = HelpPages.Online + "Invoke-VMChange.md")]
[OutputType(typeof(KubeVirtVMChange))]
public sealed class InvokeVMChangeCommand : FollowingCmdlet, IChangeHost
{
    private const string ChangeSet = "Change";
    private const string PhaseSet = "Phase";

    private readonly Dictionary<string, List<string>> _targets = new(StringComparer.Ordinal);
    private readonly List<KubeVirtVMChange> _results = new();
    private readonly Dictionary<string, OperationProgress> _progress = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, KubeVirtVM> _vms = new(StringComparer.Ordinal);
    // Not disposed: after Ctrl+C, changes still finish their records and release it after the command is gone.
    private SemaphoreSlim? _throttle;
    private volatile bool _stopStarting;
    private string _changeId = string.Empty;

    #region Parameters

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [NamesOnlyTransformation("VMName")]
    [ValidateKubeName(AllowWildcards = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(VmNameCompleter))]
    public string[] VMName { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, Position = 1, ParameterSetName = ChangeSet)]
    [ValidateNotNull]
    public ScriptBlock? ScriptBlock { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = PhaseSet)]
    [ValidateSet("Pre", "Post")]
    public string? Phase { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ChangeId { get; set; }

    [Parameter]
    public FailureAction OnFailure { get; set; } = FailureAction.Rollback;

    [Parameter]
    [AgeTransformation]
    public TimeSpan KeepSnapshotFor { get; set; } = TimeSpan.FromDays(3);

    [Parameter]
    public SwitchParameter RemoveSnapshotOnSuccess { get; set; }

    [Parameter]
    public SwitchParameter RequireQuiesce { get; set; }

    [Parameter]
    public SwitchParameter AllowPartial { get; set; }

    [Parameter]
    [ValidateNotNull]
    public ScriptBlock? HealthCheck { get; set; }

    [Parameter]
    [ValidateSet(HealthCheckNames.Running, HealthCheckNames.Ready, HealthCheckNames.AgentConnected, HealthCheckNames.GuestAddress,
        HealthCheckNames.ClaimBound, HealthCheckNames.DataVolume, HealthCheckNames.VolumeAttached)]
    public string[] SkipCheck { get; set; } = Array.Empty<string>();

    [Parameter]
    [ValidateRange(1, 65535)]
    public int[] TcpPort { get; set; } = Array.Empty<int>();

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TcpHost { get; set; }

    [Parameter]
    [ValidateNotNull]
    public Uri? HttpUri { get; set; }

    [Parameter]
    [ValidateRange(100, 599)]
    public int ExpectedStatus { get; set; } = 200;

    [Parameter]
    [ValidateTimeSpan]
    public TimeSpan HealthTimeout { get; set; } = TimeSpan.FromMinutes(10);

    [Parameter]
    [ValidateRange(1, 100)]
    public int ConsecutivePasses { get; set; } = 3;

    [Parameter]
    [ValidateTimeSpan(AllowZero = true)]
    public TimeSpan GracePeriod { get; set; } = TimeSpan.Zero;

    [Parameter]
    [ValidateTimeSpan]
    public TimeSpan HealthInterval { get; set; } = TimeSpan.FromSeconds(5);

    [Parameter]
    [ValidateTimeSpan]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(30);

    [Parameter]
    [ValidateRange(1, 100)]
    public int ThrottleLimit { get; set; } = 5;

    [Parameter]
    [ValidateRange(1, 10000)]
    public int Canary { get; set; }

    [Parameter]
    public SwitchParameter StopOnFirstFailure { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? LogPath { get; set; }

    #endregion

    /// <inheritdoc/>
    public Func<KubeVirtVMHealth, CancellationToken, Task<VMHealthCheck>>? UserHealthCheck { get; private set; }

    /// <inheritdoc/>
    protected override void BeginProcessing()
    {
        if (Phase is not null && ChangeId is null)
        {
            ThrowTerminatingError(ErrorRecords.Create(new ArgumentException("-Phase needs -ChangeId: the Post phase finds the Pre phase's safety snapshot by it."),
                ErrorIds.InvalidChangeId, ErrorCategory.InvalidArgument, Phase, "Pass the same -ChangeId to both phases, e.g. the maintenance run's ID."));
        }

        _changeId = ChangeId ?? $"chg-{DateTime.Now:yyyyMMdd-HHmmss}";
        if (KubeNames.LabelValueProblem(_changeId) is { } problem)
        {
            ThrowTerminatingError(ErrorRecords.Create(new ArgumentException($"-ChangeId '{_changeId}' cannot be a label value: {problem}."),
                ErrorIds.InvalidChangeId, ErrorCategory.InvalidArgument, _changeId,
                "Use letters, digits, '-', '_' and '.', at most 63 characters, e.g. CHG0042."));
        }

        if (HttpUriParameter.Problem(HttpUri) is { } badUri)
        {
            ThrowTerminatingError(badUri);
        }

        if (ErrorRecords.HealthWaitProblem(new HealthGatePolicy(HealthTimeout, ConsecutivePasses, GracePeriod, HealthInterval),
                "-HealthTimeout", "-HealthInterval", MyInvocation.BoundParameters.ContainsKey(nameof(HealthTimeout))) is { } cannotPass)
        {
            ThrowTerminatingError(cannotPass);
        }

        // An expiry, not a wait: weeks are fine (New-VMSnapshot -ExpiresAfter allows the same ten years).
        if (KeepSnapshotFor <= TimeSpan.Zero || KeepSnapshotFor > TimeSpan.FromDays(3650))
        {
            ThrowTerminatingError(ErrorRecords.Create(new ArgumentException(
                    $"-KeepSnapshotFor {KeepSnapshotFor} is not allowed: give a positive age of at most 3650 days. Nothing was changed."),
                ErrorIds.InvalidExpiry, ErrorCategory.InvalidArgument, KeepSnapshotFor, "For example -KeepSnapshotFor (New-TimeSpan -Days 14)."));
        }

        if (LogPath is not null)
        {
            LogPath = GetUnresolvedProviderPathFromPSPath(LogPath);
            if (Path.GetDirectoryName(LogPath) is { Length: > 0 } folder && !Directory.Exists(folder))
            {
                ThrowTerminatingError(ErrorRecords.Create(new DirectoryNotFoundException($"The folder of -LogPath '{LogPath}' does not exist."),
                    ErrorIds.InvalidLogPath, ErrorCategory.ObjectNotFound, LogPath, "Create the folder first, or give another -LogPath."));
            }
        }

        UserHealthCheck = HealthCheck is null ? null : (health, _) => OnPipelineThread(() => ScriptHealthCheck.Run(HealthCheck!,
            _vms.GetValueOrDefault($"{health.Namespace}/{health.VMName}") ?? new KubeVirtVM { Name = health.VMName, Namespace = health.Namespace }, health));
        _throttle = new SemaphoreSlim(ThrottleLimit);
    }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        string @namespace = EffectiveNamespace;
        if (!_targets.TryGetValue(@namespace, out List<string>? names))
        {
            _targets[@namespace] = names = new List<string>();
        }

        names.AddRange(VMName.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n.Trim()));
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        KubeVirtConnection connection = ResolveConnection();
        ChangeOptions options = new(_changeId, KeepSnapshotFor, RemoveSnapshotOnSuccess, RequireQuiesce, AllowPartial, OnFailure,
            new HealthOptions(SkipCheck, TcpPort, TcpHost, HttpUri, ExpectedStatus, TimeSpan.FromSeconds(5)),
            new HealthGatePolicy(HealthTimeout, ConsecutivePasses, GracePeriod, HealthInterval),
            Timeout, Timeout, connection.User);
        ChangeRunner runner = new(connection, Watches(connection), options, this);

        List<(string Namespace, ChangePreflightResult Preflight)> approved = new();
        foreach ((string @namespace, List<string> patterns) in _targets)
        {
            List<(string Vm, ChangePreflightResult Preflight)> ready;
            try
            {
                ready = Preflight(connection, @namespace, patterns, options);
            }
            catch (KubeApiException e) when (!IsFatalForCommand(e))
            {
                WriteApiError(e, @namespace);   // nothing was done in this namespace; the others go on
                continue;
            }
            catch (KubeApiException e)
            {
                ThrowApiError(e, @namespace);
                throw;
            }

            foreach ((string vm, ChangePreflightResult preflight) in ready)
            {
                if (ShouldProcess($"VM '{@namespace}/{vm}' on '{connection.Origin}'", Plan()))
                {
                    approved.Add((@namespace, preflight));
                }
            }
        }

        try
        {
            int canaries = Canary > 0 ? Math.Min(Canary, approved.Count) : 0;
            Start(runner, connection, approved.Take(canaries));
            if (canaries > 0)
            {
                // The canaries run to their end before any other VM starts.
                base.EndProcessing();
                if (_results.Any(r => r.Outcome is not (ChangeOutcome.Succeeded or ChangeOutcome.SnapshotTaken or ChangeOutcome.Refused)))
                {
                    _stopStarting = true;
                    WriteWarning($"A canary did not succeed: the other {approved.Count - canaries} VM(s) were not started.");
                }
            }

            Start(runner, connection, approved.Skip(canaries));
            base.EndProcessing();
        }
        finally
        {
            WriteLog(connection);
        }
    }

    /// <inheritdoc/>
    private protected override void OnOperationsEnded()
    {
        foreach (OperationProgress progress in _progress.Values)
        {
            progress.Complete();
        }

        _progress.Clear();
    }

    /// <summary>The VMs that passed the pre-flight; refusals are written as results and errors.</summary>
    private List<(string Vm, ChangePreflightResult Preflight)> Preflight(KubeVirtConnection connection, string @namespace,
        List<string> patterns, ChangeOptions options)
    {
        // One survey lists the VMs the patterns select and reads what the pre-flight judges: no separate list first.
        NameFilter filter = new(patterns);
        IReadOnlyList<(string VMName, Planned<ChangePreflightResult> Check)> checks =
            Await(ChangePreflight.CheckAsync(connection, @namespace, filter.IsMatch, options, afterChange: Phase == "Post", CancelToken));
        foreach (string missing in filter.Literals.Where(n => checks.All(c => !c.VMName.Equals(n, StringComparison.OrdinalIgnoreCase))))
        {
            Refuse(@namespace, missing, Refusal.VMNotFound(missing, @namespace, "Nothing was changed."));
        }

        List<(string, ChangePreflightResult)> approved = new();
        foreach ((string vm, Planned<ChangePreflightResult> check) in checks)
        {
            if (check.Refusal is { } refusal)
            {
                Refuse(@namespace, vm, refusal);
            }
            else if (Phase != "Post" && Await(ChangePreflight.BaselineAsync(connection, check.Plan!, options, CancelToken)) is { } unhealthy)
            {
                Refuse(@namespace, vm, unhealthy);
            }
            else
            {
                approved.Add((vm, check.Plan!));
                _vms[$"{@namespace}/{vm}"] = check.Plan!.Vm;   // what -HealthCheck gets, as Get-KubeVirtVM gives it
            }
        }

        return approved;
    }

    private void Refuse(string @namespace, string vm, Refusal refusal)
    {
        KubeVirtVMChange refused = new()
        {
            VMName = vm,
            Namespace = @namespace,
            ChangeId = _changeId,
            Outcome = ChangeOutcome.Refused,
            Error = refusal.Message,
            StartTime = DateTime.Now,
        };
        Record(refused);
        WriteObject(refused);
        WriteError(RefusalErrors.ToErrorRecord(refusal));
    }

    private string Plan() => Phase switch
    {
        "Pre" => $"Take a safety snapshot for change '{_changeId}' (labelled, expires after {KeepSnapshotFor})",
        "Post" => $"Check health after change '{_changeId}'; on failure {(OnFailure == FailureAction.Rollback ? "roll back to its safety snapshot" : "keep the VM as it is")}",
        _ => $"Change '{_changeId}': take a safety snapshot, run the change script, check health, and on failure " +
            (OnFailure == FailureAction.Rollback ? "roll back to the snapshot (the VM is stopped and restored)" : "keep the VM as it is"),
    };

    private void Start(ChangeRunner runner, KubeVirtConnection connection, IEnumerable<(string Namespace, ChangePreflightResult Preflight)> vms)
    {
        foreach ((string @namespace, ChangePreflightResult preflight) in vms)
        {
            if (_stopStarting)
            {
                KubeVirtVMChange notStarted = NotStarted(preflight, "A canary or an earlier VM did not succeed.");
                Record(notStarted);
                Finish(notStarted);
                continue;
            }

            StartOperation(() => RunOneAsync(runner, connection, preflight), preflight.Vm);
        }
    }

    private async Task RunOneAsync(ChangeRunner runner, KubeVirtConnection connection, ChangePreflightResult preflight)
    {
        await _throttle!.WaitAsync(CancelToken).ConfigureAwait(false);
        KubeVirtVMChange? result = null;
        try
        {
            if (_stopStarting)
            {
                result = NotStarted(preflight, "An earlier VM did not succeed (-StopOnFirstFailure).");
            }
            else if (Phase == "Pre")
            {
                result = await runner.SnapshotOnlyAsync(preflight, CancelToken).ConfigureAwait(false);
            }
            else if (Phase == "Post")
            {
                KubeVirtVMSnapshot? safety = await SafetySnapshots.FindAsync(connection, preflight.Vm.Namespace, preflight.Vm.Name,
                    _changeId, CancelToken).ConfigureAwait(false);
                if (safety is null)
                {
                    PostToPipeline(() => WriteError(ErrorRecords.Create(new ItemNotFoundException(
                            $"No safety snapshot of change '{_changeId}' was found for VM '{preflight.Vm}'. Nothing was done."),
                        ErrorIds.SafetySnapshotNotFound, ErrorCategory.ObjectNotFound, preflight.Vm,
                        "Run the Pre phase with the same -ChangeId first (Invoke-VMChange -Phase Pre -ChangeId ...).")));
                    return;
                }

                result = await runner.AfterChangeAsync(preflight, safety.Name, safety.Indications.Contains("Online"), CancelToken)
                    .ConfigureAwait(false);
            }
            else
            {
                result = await runner.RunAsync(preflight, CancelToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // Decided before the throttle lets the next VM start, so that it sees this failure.
            if (StopOnFirstFailure && result is { Outcome: not (ChangeOutcome.Succeeded or ChangeOutcome.SnapshotTaken) })
            {
                _stopStarting = true;
            }

            // Recorded here, not on the pipeline thread: after Ctrl+C the pipeline no longer runs what is posted, and
            // the change record must still say how each VM was left.
            if (result is not null)
            {
                Record(result);
            }

            _throttle.Release();
        }

        if (result is not null)
        {
            PostToPipeline(() => Finish(result));
        }
    }

    private void Record(KubeVirtVMChange result)
    {
        result.ChangeId = _changeId;
        lock (_results)
        {
            _results.Add(result);
        }
    }

    private static KubeVirtVMChange NotStarted(ChangePreflightResult preflight, string why) => new()
    {
        VMName = preflight.Vm.Name,
        Namespace = preflight.Vm.Namespace,
        Outcome = ChangeOutcome.NotStarted,
        Error = why,
        StartTime = DateTime.Now,
    };

    /// <summary>Writes one VM's result (pipeline thread); a change that did not succeed is also an error.</summary>
    private void Finish(KubeVirtVMChange result)
    {
        if (_progress.Remove($"{result.Namespace}/{result.VMName}", out OperationProgress? progress))
        {
            progress.Complete();
        }

        WriteObject(result);
        (string id, ErrorCategory category, string action)? error = result.Outcome switch
        {
            ChangeOutcome.RollbackFailed => (ErrorIds.RollbackFailed, ErrorCategory.InvalidResult,
                "Act now: the VM may be down. Restore the safety snapshot by hand (Restore-VMSnapshot -StopVM) or repair the VM; the steps say what failed."),
            ChangeOutcome.RolledBack or ChangeOutcome.Failed => (ErrorIds.ChangeFailed, ErrorCategory.InvalidResult,
                result.Outcome == ChangeOutcome.RolledBack
                    ? "The VM is back as it was. Read the steps for why the change failed, fix the change, and run it again."
                    : "Read the steps for what failed; the safety snapshot was kept (Restore-VMSnapshot rolls back)."),
            _ => null,
        };
        if (error is { } e)
        {
            WriteError(ErrorRecords.Create(new InvalidOperationException($"VM '{result.Namespace}/{result.VMName}': {result.Error}"),
                e.id, e.category, result, e.action));
        }
    }

    /// <inheritdoc/>
    public async Task<string?> RunChangeAsync(KubeVirtChangeContext context, CancellationToken cancelToken)
    {
        try
        {
            return await OnPipelineThread(() => RunChangeScript(context)).ConfigureAwait(false);
        }
        catch (PipelineStoppedException)
        {
            throw new OperationCanceledException(cancelToken);
        }
    }

    /// <summary>Runs the change script on the pipeline thread: null on success, else why it failed.</summary>
    private string? RunChangeScript(KubeVirtChangeContext context)
    {
        SessionState.PSVariable.Set("global:LASTEXITCODE", 0);
        try
        {
            ScriptBlock!.Invoke(context.VM, context);
        }
        catch (RuntimeException e) when (e is not PipelineStoppedException)
        {
            return e.Message;
        }

        return SessionState.PSVariable.GetValue("global:LASTEXITCODE") is int code && code != 0
            ? $"the script ended with $LASTEXITCODE {code}"
            : null;
    }

    /// <inheritdoc/>
    public void Report(KubeVirtVMChange change, string step, string message) => PostToPipeline(() =>
    {
        string key = $"{change.Namespace}/{change.VMName}";
        if (!_progress.TryGetValue(key, out OperationProgress? progress))
        {
            _progress[key] = progress = new OperationProgress(this, $"Change '{_changeId}'", key, activityId: 20 + _progress.Count);
        }

        progress.Report(step, message);   // mirrored to -Verbose
    });

    private void WriteLog(KubeVirtConnection connection)
    {
        if (LogPath is null)
        {
            return;
        }

        // After Ctrl+C the changes still record where they stopped and release their VMs; give them a moment.
        WaitForOperations(TimeSpan.FromSeconds(30));
        lock (_results)
        {
            ChangeLog.Write(LogPath, _changeId, connection.User, connection.Origin, _results.ToList());
        }
    }

}
