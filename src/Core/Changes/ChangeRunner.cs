using System.Text.Json;
using System.Threading.Channels;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Health;
using VmSnapshot.Core.Refusals;
using VmSnapshot.Core.Restores;
using VmSnapshot.Core.Snapshots;
using VmSnapshot.Core.Watching;

namespace VmSnapshot.Core.Changes;

/// <summary>The step names of a change, as they appear in <see cref="KubeVirtVMChange.Steps"/>.</summary>
public static class ChangeStepNames
{
    public const string Snapshot = "Snapshot";
    public const string Change = "Change";
    public const string HealthGate = "HealthGate";
    public const string Rollback = "Rollback";
    public const string RollbackHealthGate = "RollbackHealthGate";
    public const string Cleanup = "Cleanup";
}

/// <summary>
/// Runs a snapshot-protected change on one VM: safety snapshot (ready to use, not just Succeeded), the change, a
/// health gate, and on failure a rollback (restore in place, start, one more health gate) or nothing (Keep). It never
/// loops: a rollback that fails is reported, not retried. The safety snapshot is kept after any failure and after a
/// success expires as set (or is deleted with RemoveSnapshotOnSuccess); its change-state annotation says how it ended.
/// </summary>
public sealed class ChangeRunner(KubeVirtConnection connection, WatchSet watches, ChangeOptions options, IChangeHost host)
{
    /// <summary>Snapshot, change, health gate, then clean up or roll back.</summary>
    public async Task<KubeVirtVMChange> RunAsync(ChangePreflightResult preflight, CancellationToken cancelToken)
    {
        ChangeRecord record = NewRecord(preflight);
        try
        {
            KubeVirtVMSnapshot? snapshot = await TakeSnapshotAsync(record, preflight, cancelToken).ConfigureAwait(false);
            if (snapshot is null)
            {
                return record.Finish(ChangeOutcome.Failed, record.Change.Error);
            }

            string? failure = await RunChangeAsync(record, preflight, snapshot, cancelToken).ConfigureAwait(false);
            failure ??= await GateAsync(record, ChangeStepNames.HealthGate, cancelToken).ConfigureAwait(false);
            return failure is null
                ? await SucceedAsync(record, cancelToken).ConfigureAwait(false)
                : await FailAsync(record, preflight, failure, cancelToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancelToken.IsCancellationRequested)
        {
            return await StoppedAsync(record).ConfigureAwait(false);
        }
        catch (KubeApiException e)
        {
            return await ApiFailedAsync(record, e).ConfigureAwait(false);
        }
    }

    /// <summary>-Phase Pre: the safety snapshot only, left InProgress for the Post phase.</summary>
    public async Task<KubeVirtVMChange> SnapshotOnlyAsync(ChangePreflightResult preflight, CancellationToken cancelToken)
    {
        ChangeRecord record = NewRecord(preflight);
        try
        {
            KubeVirtVMSnapshot? snapshot = await TakeSnapshotAsync(record, preflight, cancelToken).ConfigureAwait(false);
            return snapshot is null
                ? record.Finish(ChangeOutcome.Failed, record.Change.Error)
                : record.Finish(ChangeOutcome.SnapshotTaken, null);
        }
        catch (OperationCanceledException) when (cancelToken.IsCancellationRequested)
        {
            return await StoppedAsync(record).ConfigureAwait(false);
        }
        catch (KubeApiException e)
        {
            return await ApiFailedAsync(record, e).ConfigureAwait(false);
        }
    }

    /// <summary>-Phase Post: the health gate after a change made elsewhere, then clean up or roll back.</summary>
    public async Task<KubeVirtVMChange> AfterChangeAsync(ChangePreflightResult preflight, string snapshotName, bool wasRunning,
        CancellationToken cancelToken)
    {
        ChangeRecord record = NewRecord(preflight);
        record.Change.SnapshotName = snapshotName;
        try
        {
            string? failure = await GateAsync(record, ChangeStepNames.HealthGate, cancelToken).ConfigureAwait(false);
            return failure is null
                ? await SucceedAsync(record, cancelToken).ConfigureAwait(false)
                : await FailAsync(record, preflight with { WasRunning = wasRunning }, failure, cancelToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancelToken.IsCancellationRequested)
        {
            return await StoppedAsync(record).ConfigureAwait(false);
        }
        catch (KubeApiException e)
        {
            return await ApiFailedAsync(record, e).ConfigureAwait(false);
        }
    }

    private ChangeRecord NewRecord(ChangePreflightResult preflight) =>
        new(preflight.Vm.Namespace, preflight.Vm.Name, options.ChangeId, connection.Origin);

    /// <summary>Creates the safety snapshot and waits until it is ready to use; null (with the error recorded) when it is not.</summary>
    private async Task<KubeVirtVMSnapshot?> TakeSnapshotAsync(ChangeRecord record, ChangePreflightResult preflight,
        CancellationToken cancelToken)
    {
        ChangeRecord.StepTimer step = record.Begin(ChangeStepNames.Snapshot);
        KubeVirtVM vm = preflight.Vm;
        DateTime now = DateTime.Now;
        SnapshotRequest request = new(SnapshotNaming.ForChange(vm.Name, now), vm.Namespace, vm.Name,
            $"Safety snapshot of change {options.ChangeId}", null, null,
            new Dictionary<string, string> { [ChangeLabels.Purpose] = ChangeLabels.SafetySnapshot, [ChangeLabels.ChangeId] = options.ChangeId },
            options.CreatedBy, DateTimeOffset.UtcNow + options.KeepSnapshotFor,
            new Dictionary<string, string> { [ChangeLabels.State] = ChangeLabels.InProgress });
        record.Change.SnapshotName = request.Name;
        host.Report(record.Change, ChangeStepNames.Snapshot, $"taking safety snapshot '{request.Name}'");

        NamespaceWatch watch = await watches.ForAsync(ResourceType.VirtualMachineSnapshot, vm.Namespace, cancelToken).ConfigureAwait(false);
        ChannelReader<WatchEvent> events = watch.Subscribe(request.Name);
        JsonElement final;
        try
        {
            JsonElement created = await SnapshotWriter.CreateAsync(connection, request, cancelToken).ConfigureAwait(false);
            using CancellationTokenSource limit = CancellationTokenSource.CreateLinkedTokenSource(cancelToken);
            limit.CancelAfter(options.SnapshotTimeout);
            try
            {
                final = await SnapshotWaiter.WaitAsync(events, created,
                    (progress, _) => host.Report(record.Change, ChangeStepNames.Snapshot, $"'{request.Name}': {progress.Stage}"),
                    limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancelToken.IsCancellationRequested)
            {
                return Failed(record, step, $"The safety snapshot '{request.Name}' was not ready within {options.SnapshotTimeout}. Nothing was changed.");
            }
        }
        finally
        {
            watch.Unsubscribe(request.Name);
        }

        SnapshotProgress outcome = SnapshotProgressRules.Evaluate(final);
        KubeVirtVMSnapshot snapshot = SnapshotMapper.FromJson(final, connection.Origin, connection.Server.ToString());
        if (outcome.Stage != SnapshotStage.Ready)
        {
            return Failed(record, step, $"The safety snapshot '{request.Name}' ended {outcome.Stage}: {outcome.Message}. Nothing was changed.");
        }

        if (options.RequireQuiesce && snapshot.Consistency is not (SnapshotConsistency.ApplicationConsistent or SnapshotConsistency.Offline))
        {
            return Failed(record, step,
                $"The safety snapshot '{request.Name}' is {snapshot.Consistency}, not application-consistent. Nothing was changed.");
        }

        step.End(ChangeStepResult.Succeeded, $"'{request.Name}' is ready to use ({snapshot.Consistency}).");
        return snapshot;
    }

    private static KubeVirtVMSnapshot? Failed(ChangeRecord record, ChangeRecord.StepTimer step, string message)
    {
        step.End(ChangeStepResult.Failed, message);
        record.Change.Error = message;
        return null;
    }

    private async Task<string?> RunChangeAsync(ChangeRecord record, ChangePreflightResult preflight, KubeVirtVMSnapshot snapshot,
        CancellationToken cancelToken)
    {
        ChangeRecord.StepTimer step = record.Begin(ChangeStepNames.Change);
        host.Report(record.Change, ChangeStepNames.Change, "running the change");
        KubeVirtChangeContext context = new()
        {
            ChangeId = options.ChangeId,
            VM = preflight.Vm,
            Snapshot = snapshot,
            Connection = connection,
        };
        string? failure = await host.RunChangeAsync(context, cancelToken).ConfigureAwait(false);
        failure = failure is null ? null : System.Text.RegularExpressions.Regex.Replace(failure, @"\s+", " ").Trim(); // one line in tables and logs
        step.End(failure is null ? ChangeStepResult.Succeeded : ChangeStepResult.Failed, failure ?? "The change ran without error.");
        return failure is null ? null : $"The change failed: {failure}";
    }

    /// <summary>The health gate; null when the VM passed, else why not.</summary>
    private async Task<string?> GateAsync(ChangeRecord record, string stepName, CancellationToken cancelToken)
    {
        ChangeRecord.StepTimer step = record.Begin(stepName);
        KubeVirtVM vm = new() { Name = record.Change.VMName, Namespace = record.Change.Namespace };
        HealthGateResult? gate = await HealthGate.WaitAsync(
            ct => HealthProbe.CheckAsync(connection, vm.Namespace, vm.Name, options.Health, host.UserHealthCheck, ct),
            options.Gate,
            look =>
            {
                record.AddSample(look);
                host.Report(record.Change, stepName, $"look {look.Samples}: {look.Summary}");
            }, null, cancelToken).ConfigureAwait(false);
        if (gate is null)
        {
            step.End(ChangeStepResult.Failed, "The VM no longer exists.");
            return "The VM no longer exists.";
        }

        if (gate.Passed)
        {
            step.End(ChangeStepResult.Succeeded, $"Healthy {options.Gate.ConsecutivePasses} looks in a row ({gate.Samples.Count} looks, {gate.Took.TotalSeconds:0.#} s).");
            return null;
        }

        string why = gate.DescribeFailure(options.Gate) + ".";
        step.End(ChangeStepResult.Failed, why);
        return why;
    }

    private async Task<KubeVirtVMChange> SucceedAsync(ChangeRecord record, CancellationToken cancelToken)
    {
        ChangeRecord.StepTimer step = record.Begin(ChangeStepNames.Cleanup);
        string snapshotName = record.Change.SnapshotName!;
        if (options.RemoveSnapshotOnSuccess)
        {
            await SnapshotWriter.DeleteAsync(connection, record.Change.Namespace, snapshotName, cancelToken).ConfigureAwait(false);
            step.End(ChangeStepResult.Succeeded, $"Deleted the safety snapshot '{snapshotName}'.");
        }
        else
        {
            await MarkAsync(record, nameof(ChangeOutcome.Succeeded)).ConfigureAwait(false);
            step.End(ChangeStepResult.Succeeded, $"Kept the safety snapshot '{snapshotName}'; it expires in {Describe(options.KeepSnapshotFor)} " +
                "(Remove-VMSnapshot -Expired deletes it then).");
        }

        return record.Finish(ChangeOutcome.Succeeded, null);
    }

    private static string Describe(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{span.TotalDays:0.#} days" : span.TotalHours >= 1 ? $"{span.TotalHours:0.#} hours" : $"{span.TotalMinutes:0.#} minutes";

    private async Task<KubeVirtVMChange> FailAsync(ChangeRecord record, ChangePreflightResult preflight, string failure,
        CancellationToken cancelToken)
    {
        if (options.OnFailure == FailureAction.Keep)
        {
            record.Skipped(ChangeStepNames.Rollback, "-OnFailure Keep: the VM was left as the change left it.");
            await MarkAsync(record, nameof(ChangeOutcome.Failed)).ConfigureAwait(false);
            return record.Finish(ChangeOutcome.Failed, $"{failure.TrimEnd('.')}. The VM was kept as it is; safety snapshot '{record.Change.SnapshotName}' was kept.");
        }

        string? rollbackFailure = await RollBackAsync(record, preflight, cancelToken).ConfigureAwait(false);
        rollbackFailure ??= await GateAsync(record, ChangeStepNames.RollbackHealthGate, cancelToken).ConfigureAwait(false);
        ChangeOutcome outcome = rollbackFailure is null ? ChangeOutcome.RolledBack : ChangeOutcome.RollbackFailed;
        await MarkAsync(record, outcome.ToString()).ConfigureAwait(false);
        failure = failure.TrimEnd('.') + ".";
        return record.Finish(outcome, rollbackFailure is null
            ? $"{failure} It was rolled back to safety snapshot '{record.Change.SnapshotName}' and is healthy."
            : $"{failure} The rollback failed too: {rollbackFailure.TrimEnd('.')}. Safety snapshot '{record.Change.SnapshotName}' was kept.");
    }

    /// <summary>Restores the safety snapshot in place (stopping the VM), then starts the VM if it ran before; null on success.</summary>
    private async Task<string?> RollBackAsync(ChangeRecord record, ChangePreflightResult preflight, CancellationToken cancelToken)
    {
        ChangeRecord.StepTimer step = record.Begin(ChangeStepNames.Rollback);
        string @namespace = record.Change.Namespace;
        string snapshotName = record.Change.SnapshotName!;
        host.Report(record.Change, ChangeStepNames.Rollback, $"restoring '{snapshotName}'");
        Planned<RestorePlan> planned = await RestorePlanner.PlanAsync(connection, @namespace, snapshotName,
            new RestoreOptions(null, StopVM: true, null, null, false), DateTime.Now, cancelToken).ConfigureAwait(false);
        if (planned.Refusal is { } refusal)
        {
            step.End(ChangeStepResult.Failed, refusal.Message);
            return refusal.Message;
        }

        RestoreRequest request = planned.Plan!.Request;
        NamespaceWatch watch = await watches.ForAsync(ResourceType.VirtualMachineRestore, @namespace, cancelToken).ConfigureAwait(false);
        ChannelReader<WatchEvent> events = watch.Subscribe(request.Name);
        RestoreProgress outcome;
        try
        {
            JsonElement created = await RestoreWriter.CreateAsync(connection, request, cancelToken).ConfigureAwait(false);
            using CancellationTokenSource limit = CancellationTokenSource.CreateLinkedTokenSource(cancelToken);
            limit.CancelAfter(options.RestoreTimeout);
            try
            {
                JsonElement final = await ResourceWaiter.WaitAsync(ResourceType.VirtualMachineRestore, events, created,
                    RestoreProgressRules.Evaluate, p => p.IsFinal,
                    (p, _) => host.Report(record.Change, ChangeStepNames.Rollback, $"restore '{request.Name}': {p.Stage}"),
                    limit.Token).ConfigureAwait(false);
                outcome = RestoreProgressRules.Evaluate(final);
                if (outcome.Stage == RestoreStage.Complete)
                {
                    await RestoreUnlock.WaitAsync(connection, watches, @namespace, request.TargetName, limit.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (!cancelToken.IsCancellationRequested)
            {
                string late = $"Restore '{request.Name}' did not complete within {options.RestoreTimeout}; it was left to the cluster.";
                step.End(ChangeStepResult.Failed, late);
                return late;
            }
        }
        finally
        {
            watch.Unsubscribe(request.Name);
        }

        if (outcome.Stage != RestoreStage.Complete)
        {
            string failed = $"Restore '{request.Name}' ended {outcome.Stage}: {outcome.Message}";
            step.End(ChangeStepResult.Failed, failed);
            return failed;
        }

        if (preflight.WasRunning)
        {
            await StartAsync(@namespace, request.TargetName, cancelToken).ConfigureAwait(false);
        }

        step.End(ChangeStepResult.Succeeded,
            $"Restored '{snapshotName}' with restore '{request.Name}'{(preflight.WasRunning ? " and started the VM" : string.Empty)}.");
        return null;
    }

    /// <summary>Starts the VM; one that the restored spec already starts (runStrategy Always) is fine as it is.</summary>
    private async Task StartAsync(string @namespace, string vmName, CancellationToken cancelToken)
    {
        try
        {
            await Vms.VmLifecycle.StartAsync(connection, @namespace, vmName, cancelToken).ConfigureAwait(false);
        }
        catch (KubeApiException e) when (e.Kind == ApiErrorKind.Conflict && e.Message.Contains("already", StringComparison.OrdinalIgnoreCase))
        {
        }
    }

    /// <summary>Ctrl+C: record where it stopped and release the VM for later changes; the snapshot is kept.</summary>
    private async Task<KubeVirtVMChange> StoppedAsync(ChangeRecord record)
    {
        string where = record.Current ?? "between steps";
        await MarkAsync(record, "Stopped").ConfigureAwait(false);
        string snapshot = record.Change.SnapshotName is { } name
            ? $" Safety snapshot '{name}' was kept: Restore-VMSnapshot -Name {name} -StopVM rolls the VM back."
            : string.Empty;
        return record.Finish(ChangeOutcome.Failed, $"Stopped by the user during {where}; the VM may be part-way through it.{snapshot}");
    }

    /// <summary>The cluster failed a request: record it in the step it broke; a broken rollback is RollbackFailed.</summary>
    private async Task<KubeVirtVMChange> ApiFailedAsync(ChangeRecord record, KubeApiException e)
    {
        string step = record.Current ?? "between steps";
        record.Add(new ChangeStep { Name = step, Result = ChangeStepResult.Failed, Start = DateTime.Now, Message = $"The request failed: {e.Message}" });
        bool inRollback = step is ChangeStepNames.Rollback or ChangeStepNames.RollbackHealthGate;
        ChangeOutcome outcome = inRollback ? ChangeOutcome.RollbackFailed : ChangeOutcome.Failed;
        await MarkAsync(record, outcome.ToString()).ConfigureAwait(false);
        string snapshot = record.Change.SnapshotName is { } name ? $" Safety snapshot '{name}' was kept." : string.Empty;
        return record.Finish(outcome, $"The cluster failed a request during {step}: {e.Message}.{snapshot}");
    }

    /// <summary>Writes the outcome on the safety snapshot. Best effort: the change record says the same.</summary>
    private async Task MarkAsync(ChangeRecord record, string state)
    {
        if (record.Change.SnapshotName is not { } name)
        {
            return;
        }

        using CancellationTokenSource limit = new(TimeSpan.FromSeconds(10));
        try
        {
            await SnapshotWriter.AnnotateAsync(connection, record.Change.Namespace, name,
                new Dictionary<string, string> { [ChangeLabels.State] = state }, limit.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KubeApiException or OperationCanceledException)
        {
            host.Report(record.Change, "Mark", $"could not mark '{name}' {state}: {e.Message}");
        }
    }
}
