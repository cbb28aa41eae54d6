using System.Collections.Concurrent;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// Lets background work talk to the pipeline. WriteObject, WriteError, WriteWarning and WriteProgress may only be
/// called on the pipeline thread, so concurrent operations post actions here and the cmdlet runs them on its own
/// thread, as soon as it can.
/// </summary>
internal sealed class PipelineQueue
{
    private readonly BlockingCollection<Action> _actions = new();

    /// <summary>Queues an action to run on the pipeline thread. Safe from any thread.</summary>
    public void Post(Action action) => _actions.Add(action);

    /// <summary>Runs what is queued now, without waiting.</summary>
    public void RunPending()
    {
        while (_actions.TryTake(out Action? action))
        {
            action();
        }
    }

    /// <summary>Runs queued actions as they arrive until <paramref name="work"/> completes, then runs the rest.</summary>
    public void RunUntil(Task work, CancellationToken cancelToken)
    {
        // The continuation wakes the blocking take when the work ends with nothing left to post.
        work.ContinueWith(_ => Post(() => { }), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        while (!work.IsCompleted)
        {
            if (_actions.TryTake(out Action? action, Timeout.Infinite, cancelToken))
            {
                action();
            }
        }

        RunPending();
    }
}
