using System.Management.Automation;
using System.Text.Json;
using System.Threading.Channels;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Watching;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// Base of the cmdlets that start work on the cluster and follow it to its end (New-VMSnapshot, Wait-VMSnapshot,
/// Restore-VMSnapshot, New-VMClone, Remove-VMSnapshot -Wait). It owns the three things they share:
/// <list type="bullet">
/// <item>the watches: one per namespace and type for the whole command, however many objects are followed;</item>
/// <item>the pipeline queue: background work posts output, errors and progress, the pipeline thread writes them;</item>
/// <item>operations: work per item started in the background, run until all are done in EndProcessing, each behind
/// an error guard so one item's failure becomes that item's error and the others go on.</item>
/// </list>
/// </summary>
public abstract class FollowingCmdlet : NamespacedCmdlet
{
    private readonly PipelineQueue _queue = new();
    private readonly List<Task> _operations = new();
    private WatchSet? _watches;

    /// <summary>The queue background work posts to; the pipeline thread runs it.</summary>
    private protected PipelineQueue Queue => _queue;

    /// <summary>The watches of this command; created on first use.</summary>
    private protected WatchSet Watches(KubeVirtConnection connection) => _watches ??= new WatchSet(connection);

    /// <summary>Runs an action on the pipeline thread as soon as the command gets to it.</summary>
    private protected void PostToPipeline(Action action) => _queue.Post(action);

    /// <summary>
    /// Runs <paramref name="action"/> on the pipeline thread (where script blocks and Write* calls belong) and returns
    /// its result to the background work that asked. The pipeline thread runs it while it waits in EndProcessing or
    /// <see cref="CreateAndFollow"/>.
    /// </summary>
    private protected Task<T> OnPipelineThread<T>(Func<T> action)
    {
        TaskCompletionSource<T> done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        // After Ctrl+C the pipeline thread runs nothing more: the caller must not wait for it forever.
        CancellationTokenRegistration stopped = CancelToken.Register(() => done.TrySetCanceled(CancelToken));
        _queue.Post(() =>
        {
            try
            {
                done.TrySetResult(action());
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
            finally
            {
                stopped.Dispose();
            }
        });
        return done.Task;
    }

    /// <summary>
    /// Starts the work for one item in the background. An API failure becomes an ErrorRecord for
    /// <paramref name="target"/> (through <paramref name="apiError"/> when given), Ctrl+C ends it quietly, and anything
    /// else is reported as UnexpectedError: no item's failure vanishes or stops the others.
    /// </summary>
    private protected void StartOperation(Func<Task> work, object? target, Func<KubeApiException, ErrorRecord>? apiError = null)
    {
        _operations.Add(Task.Run(() => GuardAsync(work, target, apiError)));
        _queue.RunPending();
    }

    /// <summary>Runs queued output until every operation has ended; Ctrl+C stops the pipeline.</summary>
    protected override void EndProcessing()
    {
        try
        {
            _queue.RunUntil(Task.WhenAll(_operations), CancelToken);
        }
        catch (OperationCanceledException) when (CancelToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        finally
        {
            OnOperationsEnded();
        }
    }

    /// <summary>
    /// Waits up to <paramref name="limit"/> for the operations to end, running what they post meanwhile when the
    /// pipeline is not stopping; true when all ended. For clean-up after Ctrl+C, when EndProcessing stopped waiting.
    /// </summary>
    private protected bool WaitForOperations(TimeSpan limit)
    {
        try
        {
            return Task.WhenAll(_operations).Wait(limit);
        }
        catch (AggregateException)
        {
            return true; // the guard reports each failure; ended is ended
        }
    }

    /// <summary>Called on the pipeline thread when the operations have ended (e.g. to close a progress bar).</summary>
    private protected virtual void OnOperationsEnded()
    {
    }

    /// <summary>
    /// Subscribes to the object, creates it, and waits until <paramref name="isFinal"/>, calling
    /// <paramref name="report"/> on the pipeline thread at every change. <paramref name="afterFinal"/> runs before
    /// returning (e.g. to confirm a VM lock was released); <paramref name="toResult"/> reads the final object. A wait
    /// longer than <paramref name="timeout"/> ends in a Timeout <see cref="KubeApiException"/>.
    /// </summary>
    private protected TResult CreateAndFollow<TProgress, TResult>(KubeVirtConnection connection, ResourceType type,
        string @namespace, string name, Func<CancellationToken, Task<JsonElement>> create,
        Func<JsonElement, TProgress> evaluate, Func<TProgress, bool> isFinal, Action<TProgress> report, TimeSpan timeout,
        Func<JsonElement, TResult> toResult, Func<JsonElement, CancellationToken, Task>? afterFinal = null)
    {
        Task<JsonElement> work = Task.Run(async () =>
        {
            NamespaceWatch watch = await Watches(connection).ForAsync(type, @namespace, CancelToken).ConfigureAwait(false);
            ChannelReader<WatchEvent> events = watch.Subscribe(name);
            try
            {
                JsonElement created = await create(CancelToken).ConfigureAwait(false);
                using CancellationTokenSource limit = CancellationTokenSource.CreateLinkedTokenSource(CancelToken);
                limit.CancelAfter(timeout);
                try
                {
                    JsonElement final = await ResourceWaiter.WaitAsync(type, events, created, evaluate, isFinal,
                        (progress, _) => _queue.Post(() => report(progress)), limit.Token).ConfigureAwait(false);
                    if (afterFinal is not null)
                    {
                        await afterFinal(final, limit.Token).ConfigureAwait(false);
                    }

                    return final;
                }
                catch (OperationCanceledException) when (limit.IsCancellationRequested && !CancelToken.IsCancellationRequested)
                {
                    throw new KubeApiException(ApiErrorKind.Timeout,
                        $"The {type.Kind} '{name}' did not finish within {timeout}; it was left to the cluster.",
                        new ApiRequest("watch", type, @namespace, name));
                }
            }
            finally
            {
                watch.Unsubscribe(name);
            }
        });

        _queue.RunUntil(work, CancelToken);
        return toResult(Await(work));
    }

    private async Task GuardAsync(Func<Task> work, object? target, Func<KubeApiException, ErrorRecord>? apiError)
    {
        try
        {
            await work().ConfigureAwait(false);
        }
        catch (KubeApiException e)
        {
            _queue.Post(() => WriteError(apiError?.Invoke(e) ?? ErrorRecords.FromApi(e, target ?? e.Request.Name)));
        }
        catch (OperationCanceledException) when (CancelToken.IsCancellationRequested)
        {
            // Ctrl+C: the pipeline is stopping; the cluster carries on with what was already sent.
        }
        catch (Exception e)
        {
            _queue.Post(() => WriteError(ErrorRecords.Create(e, ErrorIds.UnexpectedError, ErrorCategory.NotSpecified, target,
                "Check the object with the matching Get- cmdlet; report this error if it repeats.")));
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _watches?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }
}
