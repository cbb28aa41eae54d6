using System.Runtime.InteropServices;
using VmSnapshot.Core.Connection;
using VmSnapshot.Core.Quiesce;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// Remembers which guest a trial may have frozen, so that Ctrl+C (StopProcessing, called on another thread) and
/// SIGTERM (schedulers, docker stop, systemd, a Windows shutdown) can send the thaw at once instead of relying only on
/// the pipeline thread's finally block or the cluster's unfreezeTimeout, which may be minutes away with a long
/// -TrialHold. A killed process (SIGKILL) cannot be helped: there the unfreezeTimeout is the only guard.
/// </summary>
internal sealed class TrialGuard : IDisposable
{
    private readonly object _sync = new();
    private (KubeVirtConnection Connection, string Namespace, string Name)? _current;
    private Task? _thaw;
    private PosixSignalRegistration? _terminate;

    /// <summary>A freeze of this guest is about to be sent.</summary>
    public void Enter(KubeVirtConnection connection, string @namespace, string name)
    {
        lock (_sync)
        {
            _current = (connection, @namespace, name);
            _terminate ??= PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnTerminate);
        }
    }

    /// <summary>The trial ended; its own finally block has thawed the guest.</summary>
    public void Leave()
    {
        lock (_sync)
        {
            _current = null;
            _terminate?.Dispose();
            _terminate = null;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => Leave();

    /// <summary>
    /// The process is asked to end while a guest may be frozen: thaw it first (bounded), then let the default
    /// handling end the process. Runs on a signal-handling thread.
    /// </summary>
    private void OnTerminate(PosixSignalContext context)
    {
        ThawNow();
        WaitForThaw();
    }

    /// <summary>Starts a thaw of the guest being tried, if any. Safe from any thread; the thaw is idempotent.</summary>
    public void ThawNow()
    {
        lock (_sync)
        {
            if (_current is { } guest && _thaw is null)
            {
                _thaw = Task.Run(() => QuiesceTrial.ThawAsync(guest.Connection, guest.Namespace, guest.Name));
            }
        }
    }

    /// <summary>Waits (bounded by the thaw's own timeout) for a thaw started by <see cref="ThawNow"/>.</summary>
    public void WaitForThaw()
    {
        Task? thaw;
        lock (_sync)
        {
            thaw = _thaw;
        }

        try
        {
            thaw?.Wait(QuiesceTrial.ThawTimeout + TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The thaw's failure cannot be reported any more (the pipeline is stopping); the cluster's
            // unfreezeTimeout still thaws the guest.
        }
    }
}
