using System.Management.Automation;
using VmSnapshot.Core.Api;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// Base of every cmdlet: one cancellation source that Ctrl+C (StopProcessing) cancels, and a way to wait for async
/// work on the pipeline thread. Blocking here is deliberate: WriteObject, WriteError and WriteProgress must be
/// called on the pipeline thread, and the pipeline thread has no SynchronizationContext, so continuations run on
/// the thread pool and cannot deadlock.
/// </summary>
public abstract class CancellableCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _cancelSource = new();
    private bool _disposed;

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline is stopped.</summary>
    protected CancellationToken CancelToken => _cancelSource.Token;

    /// <inheritdoc/>
    protected override void StopProcessing() => _cancelSource.Cancel();

    /// <summary>Waits for a task; a cancellation caused by Ctrl+C becomes PowerShell's own pipeline stop.</summary>
    protected T Await<T>(Task<T> task)
    {
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (CancelToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (InvalidNameException e)
        {
            // The engine refuses to address anything by an invalid name (KubeNames.EnsureAddressable); nothing was sent.
            ThrowTerminatingError(ErrorRecords.Create(e, ErrorIds.InvalidName, ErrorCategory.InvalidArgument, e.Value,
                "Give names and namespaces as the cluster shows them: lower-case letters, digits, '-' and '.'."));
            throw; // Not reached: ThrowTerminatingError always throws.
        }
    }

    /// <summary>Waits for a task that returns nothing.</summary>
    protected void Await(Task task) => Await(task.ContinueWith(t => { t.GetAwaiter().GetResult(); return true; },
        CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default));

    /// <summary>
    /// Consumes an async stream on the pipeline thread, handing each item to <paramref name="onItem"/> as soon as it
    /// arrives (so list pages stream to the pipeline instead of being collected first).
    /// </summary>
    protected void AwaitEach<T>(IAsyncEnumerable<T> source, Action<T> onItem)
    {
        IAsyncEnumerator<T> enumerator = source.GetAsyncEnumerator(CancelToken);
        try
        {
            while (true)
            {
                // Most items of a page are already there: only a step that waits for the next page needs a Task.
                ValueTask<bool> step = enumerator.MoveNextAsync();
                if (!(step.IsCompletedSuccessfully ? step.Result : Await(step.AsTask())))
                {
                    break;
                }

                onItem(enumerator.Current);
            }
        }
        finally
        {
            // Disposal of an abandoned enumerator (Select-Object -First, Ctrl+C) must not throw over the real cause.
            try
            {
                enumerator.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            catch (Exception) when (CancelToken.IsCancellationRequested)
            {
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the cancellation source.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!_disposed && disposing)
        {
            _cancelSource.Dispose();
        }

        _disposed = true;
    }
}
