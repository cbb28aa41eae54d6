using System.Text.Json;
using System.Threading.Channels;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Watching;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// Base of cmdlets that create one object and follow it to its end (Restore-VMSnapshot, New-VMClone): a shared watch
/// per namespace and type, progress delivered on the pipeline thread, and a client-side timeout that leaves the
/// object to the cluster.
/// </summary>
public abstract class FollowingCmdlet : NamespacedCmdlet
{
    private readonly PipelineQueue _queue = new();
    private WatchSet? _watches;

    /// <summary>The watches of this command; created on first use.</summary>
    private protected WatchSet Watches(KubeVirtConnection connection) => _watches ??= new WatchSet(connection);

    /// <summary>Runs an action on the pipeline thread as soon as the command gets to it.</summary>
    private protected void PostToPipeline(Action action) => _queue.Post(action);

    /// <summary>
    /// Subscribes to the object, creates it, and waits until <paramref name="isFinal"/>, calling
    /// <paramref name="report"/> on the pipeline thread at every change. <paramref name="afterFinal"/> runs before
    /// returning (e.g. to confirm a VM lock was released). A wait longer than <paramref name="timeout"/> ends in a
    /// Timeout <see cref="KubeApiException"/>.
    /// </summary>
    private protected JsonElement CreateAndFollow<TProgress>(KubeVirtConnection connection, ResourceType type,
        string @namespace, string name, Func<CancellationToken, Task<JsonElement>> create,
        Func<JsonElement, TProgress> evaluate, Func<TProgress, bool> isFinal, Action<TProgress> report, TimeSpan timeout,
        Func<JsonElement, CancellationToken, Task>? afterFinal = null)
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
        return Await(work);
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
