using System.Management.Automation;
using System.Text.Json;
using System.Threading.Channels;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Refusals;
using VmSnapshot.Core.Snapshots;
using VmSnapshot.Core.Watching;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// Follows snapshots to their end for New-VMSnapshot and Wait-VMSnapshot, on the command's shared watches: progress
/// and verbose on the pipeline thread, and one outcome per snapshot (the object, or an error saying what happened).
/// </summary>
internal sealed class SnapshotFollower
{
    private readonly PipelineQueue _queue;
    private readonly WatchSet _watches;
    private readonly SnapshotProgressReporter _progress;
    private readonly TimeSpan _timeout;
    private readonly bool _requireQuiesce;
    private readonly Cmdlet _cmdlet;
    private readonly SnapshotCoverageResolver _coverage;

    public SnapshotFollower(Cmdlet cmdlet, PipelineQueue queue, WatchSet watches, KubeVirtConnection connection,
        string activity, TimeSpan timeout, bool requireQuiesce)
    {
        _cmdlet = cmdlet;
        _queue = queue;
        _watches = watches;
        _progress = new SnapshotProgressReporter(cmdlet, activity, activityId: 1);
        _timeout = timeout;
        _requireQuiesce = requireQuiesce;
        _coverage = new SnapshotCoverageResolver(connection);
    }

    /// <summary>
    /// New-VMSnapshot's work for one VM: the engine's checks (a refusal or warnings are posted), the create, and then,
    /// when <paramref name="wait"/>, the wait for its end; without it the snapshot is output as created.
    /// <paramref name="throttle"/> bounds the requests, not the waits (a wait costs only a watch subscription).
    /// </summary>
    public async Task CreateAsync(KubeVirtConnection connection, SnapshotRequest request, bool requireAllVolumes, bool wait,
        SemaphoreSlim throttle, CancellationToken cancelToken)
    {
        async Task<JsonElement?> CheckAndCreate(CancellationToken ct)
        {
            await throttle.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                return await CheckAndCreateAsync(connection, request, requireAllVolumes, ct).ConfigureAwait(false);
            }
            finally
            {
                throttle.Release();
            }
        }

        if (wait)
        {
            await FollowAsync(connection, request.Namespace, request.Name, CheckAndCreate, cancelToken).ConfigureAwait(false);
        }
        else if (await CheckAndCreate(cancelToken).ConfigureAwait(false) is { } created)
        {
            _queue.Post(() => _cmdlet.WriteObject(SnapshotOutcome.ToObject(created, connection)));
        }
    }

    /// <summary>Wait-VMSnapshot's work for one snapshot: read it (SnapshotNotFound when it is not there), then wait.</summary>
    public Task FollowExistingAsync(KubeVirtConnection connection, string @namespace, string name, CancellationToken cancelToken) =>
        FollowAsync(connection, @namespace, name, async ct =>
        {
            JsonElement? current = await SnapshotReader.GetRawAsync(connection, @namespace, name, ct).ConfigureAwait(false);
            if (current is null)
            {
                _queue.Post(() => _cmdlet.WriteError(RefusalErrors.ToErrorRecord(Refusal.SnapshotNotFound(name, @namespace))));
            }

            return current;
        }, cancelToken);

    /// <summary>Checks the VM and its volumes, then creates the snapshot; null (with the refusal posted) when refused.</summary>
    private async Task<JsonElement?> CheckAndCreateAsync(KubeVirtConnection connection, SnapshotRequest request,
        bool requireAllVolumes, CancellationToken cancelToken)
    {
        Planned<SnapshotPlan> planned = await SnapshotPlanner.CheckAsync(connection, request, requireAllVolumes, cancelToken)
            .ConfigureAwait(false);
        if (planned.Refusal is { } refusal)
        {
            _queue.Post(() => _cmdlet.WriteError(RefusalErrors.ToErrorRecord(refusal)));
            return null;
        }

        foreach (string warning in planned.Plan!.Warnings)
        {
            _queue.Post(() => _cmdlet.WriteWarning(warning));
        }

        JsonElement created = await SnapshotWriter.CreateAsync(connection, request, cancelToken).ConfigureAwait(false);
        _queue.Post(() => _cmdlet.WriteVerbose($"{request.Namespace}/{request.Name}: created for VM '{request.VMName}'."));
        return created;
    }

    /// <summary>
    /// Subscribes to the snapshot, runs <paramref name="start"/> (which creates or reads it; null means it does not
    /// exist and <paramref name="start"/> has reported that), then waits for the end and posts the outcome.
    /// </summary>
    private async Task FollowAsync(KubeVirtConnection connection, string @namespace, string name,
        Func<CancellationToken, Task<JsonElement?>> start, CancellationToken cancelToken)
    {
        string key = $"{@namespace}/{name}";
        NamespaceWatch watch = await _watches.ForAsync(ResourceType.VirtualMachineSnapshot, @namespace, cancelToken)
            .ConfigureAwait(false);

        // Subscribe first: not even the controller's first update may fall between the read and the watch.
        ChannelReader<WatchEvent> events = watch.Subscribe(name);
        try
        {
            JsonElement? initial = await start(cancelToken).ConfigureAwait(false);
            if (initial is null)
            {
                return;
            }

            await WaitAsync(connection, @namespace, key, events, initial.Value, cancelToken).ConfigureAwait(false);
        }
        finally
        {
            watch.Unsubscribe(name);
        }
    }

    /// <summary>Closes the progress bar; call on the pipeline thread at the end.</summary>
    public void Complete() => _progress.Complete();

    private async Task WaitAsync(KubeVirtConnection connection, string @namespace, string key,
        ChannelReader<WatchEvent> events, JsonElement initial, CancellationToken cancelToken)
    {
        using CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(cancelToken);
        timeout.CancelAfter(_timeout);
        using CancellationTokenSource volumesDone = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        Task volumes = FollowVolumesAsync(@namespace, key, initial, volumesDone.Token);
        try
        {
            await FollowSnapshotAsync(connection, key, events, initial, timeout, cancelToken).ConfigureAwait(false);
        }
        finally
        {
            volumesDone.Cancel();
            await volumes.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reports the volumes being cut and made ready, from the snapshot's content (one more shared watch per namespace),
    /// until cancelled. Only progress: a failure here never fails the snapshot.
    /// </summary>
    private async Task FollowVolumesAsync(string @namespace, string key, JsonElement snapshot, CancellationToken cancelToken)
    {
        string contentName = VolumeProgress.ContentName(snapshot);
        NamespaceWatch? contents = null;
        try
        {
            contents = await _watches.ForAsync(ResourceType.VirtualMachineSnapshotContent, @namespace, cancelToken).ConfigureAwait(false);
            ChannelReader<WatchEvent> events = contents.Subscribe(contentName);
            while (true)
            {
                WatchEvent change = await events.ReadAsync(cancelToken).ConfigureAwait(false);
                if (change.Change == WatchChange.Updated)
                {
                    VolumeProgress progress = VolumeProgress.From(change.Object);
                    _queue.Post(() => _progress.ReportVolumes(key, progress));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or KubeApiException or ChannelClosedException)
        {
        }
        finally
        {
            contents?.Unsubscribe(contentName);
        }
    }

    private async Task FollowSnapshotAsync(KubeVirtConnection connection, string key,
        ChannelReader<WatchEvent> events, JsonElement initial, CancellationTokenSource timeout, CancellationToken cancelToken)
    {
        SnapshotProgress last = SnapshotProgressRules.Evaluate(initial);
        JsonElement latest = initial;
        try
        {
            string? warned = null;
            JsonElement final = await SnapshotWaiter.WaitAsync(events, initial, (progress, state) =>
            {
                last = progress;
                latest = state;
                _queue.Post(() => _progress.Report(key, progress));
                if (progress.Stage == SnapshotStage.Retrying && progress.Message != warned)
                {
                    // A freeze error is retried until the failure deadline: say so now rather than wait silently.
                    warned = progress.Message;
                    string deadline = progress.Deadline is { } at ? $" until {at.LocalDateTime:T}" : " (no failure deadline is set)";
                    _queue.Post(() => _cmdlet.WriteWarning(
                        $"{key}: the cluster reports an error and keeps retrying{deadline}: {progress.Message}"));
                }
            }, timeout.Token).ConfigureAwait(false);

            KubeVirtVMSnapshot snapshot = await _coverage.ResolveAsync(SnapshotOutcome.ToObject(final, connection), cancelToken)
                .ConfigureAwait(false);
            ErrorRecord? error = SnapshotOutcome.ErrorFor(last, snapshot) ??
                (_requireQuiesce ? SnapshotOutcome.QuiesceError(snapshot) : null);
            _queue.Post(error is null ? () => _cmdlet.WriteObject(snapshot) : () => _cmdlet.WriteError(error));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancelToken.IsCancellationRequested)
        {
            KubeVirtVMSnapshot snapshot = SnapshotOutcome.ToObject(latest, connection);
            _queue.Post(() => _cmdlet.WriteError(ErrorRecords.Create(new TimeoutException(
                    $"Snapshot '{snapshot.Name}' was not ready after {_timeout}; it is {last.Stage}: {last.Message}. " +
                    "It was left to the cluster."),
                ErrorIds.WaitTimedOut, ErrorCategory.OperationTimeout, snapshot,
                "Keep waiting with Wait-VMSnapshot, or remove it with Remove-VMSnapshot.")));
        }
    }
}
