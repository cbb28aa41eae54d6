using System.Diagnostics;
using System.Threading.Channels;
using VmSnapshot.Lab.Api;
using VmSnapshot.Lab.GuestAgent;
using VmSnapshot.Lab.Store;
using VmSnapshot.Lab.Time;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// Runs the emulated virt-controller, virt-handler, CSI snapshotter and PV binder of a lab: one watch per
/// resource type (from resourceVersion 0, so existing objects are reconciled first), a de-duplicating work
/// queue, and a single worker that reconciles keys one at a time (the store serializes writes anyway, and one
/// worker keeps the sequence of states every client sees deterministic).
/// </summary>
public sealed class ControllerHost : IDisposable
{
    private readonly Channel<(Controller Controller, ObjectKey Key)> _queue = Channel.CreateUnbounded<(Controller, ObjectKey)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HashSet<(Controller, ObjectKey)> _pending = [];
    private readonly List<Controller> _controllers = [];
    private readonly List<WatchSubscription> _subscriptions = [];
    private readonly List<Task> _tasks = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<string> _errors = [];
    private int _initialPumps;
    private int _inFlight;
    private long _lastActivity;

    internal ControllerHost(LabStore store, LabClock clock, ControllerSettings settings)
    {
        Store = store;
        Clock = clock;
        Settings = settings;
        Events = new EventRecorder(store);
        Storage = new StorageSettingsResolver(store, settings);
        Agents = new GuestAgentService(this);
        _controllers.AddRange(
        [
            new VirtualMachineController(this),
            new VirtualMachineInstanceController(this),
            new PersistentVolumeBinder(this),
            new CsiSnapshotter(this),
            new SnapshotContentSidecar(this),
            new VirtualMachineSnapshotController(this),
            new VirtualMachineSnapshotContentController(this),
            new VirtualMachineRestoreController(this),
            new VirtualMachineCloneController(this),
        ]);
        foreach (Controller controller in _controllers) controller.AddIndexes();
    }

    internal LabStore Store { get; }
    public LabClock Clock { get; }
    internal ControllerSettings Settings { get; }
    internal EventRecorder Events { get; }
    internal StorageSettingsResolver Storage { get; }
    internal GuestAgentService Agents { get; }
    /// <summary>VM specs captured when a VMI started: the ControllerRevision an online snapshot copies (§4.1 item 3).</summary>
    internal Dictionary<string, System.Text.Json.Nodes.JsonObject> Revisions { get; } = new(StringComparer.Ordinal);

    /// <summary>Reconcile failures (newest last, at most 50), for diagnosing a lab; the key is retried.</summary>
    public IReadOnlyList<string> Errors { get { lock (_errors) return _errors.ToList(); } }

    internal T Get<T>() where T : Controller => _controllers.OfType<T>().Single();

    internal void Start()
    {
        IEnumerable<IGrouping<string, (Controller Controller, ControllerWatch Watch)>> byResource = _controllers.SelectMany(c => c.Watches().Select(w => (Controller: c, Watch: w)))
            .GroupBy(x => Store.Catalog.Resolve(x.Watch.Resource).Plural);
        List<IGrouping<string, (Controller Controller, ControllerWatch Watch)>> groups = byResource.ToList();
        _initialPumps = groups.Count;
        foreach (IGrouping<string, (Controller Controller, ControllerWatch Watch)>? group in groups)
        {
            WatchSubscription sub = Store.Watch(group.Key, 0);
            _subscriptions.Add(sub);
            List<(Controller Controller, ControllerWatch Watch)> watchers = group.ToList();
            _tasks.Add(Task.Run(() => PumpAsync(sub, watchers)));
        }
        _tasks.Add(Task.Run(WorkAsync));
    }

    private async Task PumpAsync(WatchSubscription sub, List<(Controller Controller, ControllerWatch Watch)> watchers)
    {
        void Dispatch(WatchEvent e)
        {
            if (e.Object == null) return;
            foreach ((Controller? controller, ControllerWatch? watch) in watchers)
            {
                IEnumerable<ObjectKey> keys;
                try { keys = watch.Keys(e).ToList(); }
                catch (Exception ex) { Note($"{controller.Name}: mapping {e.Type} {e.Object.Name}: {ex.Message}"); continue; }
                foreach (ObjectKey key in keys) Enqueue(controller, key);
            }
        }
        try
        {
            foreach (WatchEvent e in sub.Initial) Dispatch(e);
            Interlocked.Decrement(ref _initialPumps);
            await foreach (WatchEvent e in sub.Reader.ReadAllAsync(_stopping.Token)) Dispatch(e);
        }
        catch (OperationCanceledException) { }
    }

    internal void Enqueue(Controller controller, ObjectKey key)
    {
        lock (_pending)
        {
            if (!_pending.Add((controller, key))) return;
        }
        _queue.Writer.TryWrite((controller, key));
    }

    internal void EnqueueAfter(Controller controller, ObjectKey key, TimeSpan labDelay)
    {
        if (labDelay <= TimeSpan.Zero) { Enqueue(controller, key); return; }
        _ = Clock.Delay(labDelay, _stopping.Token).ContinueWith(t => { if (!t.IsCanceled) Enqueue(controller, key); }, TaskScheduler.Default);
    }

    /// <summary>Enqueues a key for the controller of a given type (used when one controller's work concerns another's objects).</summary>
    internal void Enqueue<T>(ObjectKey key) where T : Controller => Enqueue(Get<T>(), key);

    private async Task WorkAsync()
    {
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stopping.Token))
            {
                while (_queue.Reader.TryRead(out (Controller Controller, ObjectKey Key) item))
                {
                    lock (_pending) _pending.Remove(item);
                    Interlocked.Increment(ref _inFlight);
                    try { item.Controller.Reconcile(item.Key); }
                    catch (ApiException ex) when (ex.Code is 404 or 409)
                    {
                        // Somebody changed or removed the object meanwhile: look again shortly, as a workqueue retry does.
                        EnqueueAfter(item.Controller, item.Key, TimeSpan.FromMilliseconds(200));
                    }
                    catch (Exception ex) when (!_stopping.IsCancellationRequested)
                    {
                        Note($"{item.Controller.Name} {item.Key}: {ex.GetType().Name}: {ex.Message}");
                        EnqueueAfter(item.Controller, item.Key, TimeSpan.FromSeconds(5));
                    }
                    finally
                    {
                        Interlocked.Decrement(ref _inFlight);
                        Interlocked.Exchange(ref _lastActivity, Environment.TickCount64);
                    }
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (ChannelClosedException) { }
    }

    /// <summary>
    /// Waits until the existing objects were reconciled and the queue has been quiet for a moment (timers still
    /// pending are not waited for). LabServer.Start uses it so a new lab answers with reconciled state.
    /// </summary>
    public bool WaitForIdle(TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (Environment.TickCount64 < deadline)
        {
            bool empty;
            lock (_pending) empty = _pending.Count == 0;
            if (empty && Volatile.Read(ref _initialPumps) == 0 && Volatile.Read(ref _inFlight) == 0
                && Environment.TickCount64 - Interlocked.Read(ref _lastActivity) > 30)
            {
                return true;
            }

            Thread.Sleep(5);
        }
        return false;
    }

    private void Note(string message)
    {
        Trace.WriteLine("kubevirt-lab controller: " + message);
        lock (_errors)
        {
            _errors.Add(message);
            if (_errors.Count > 50) _errors.RemoveAt(0);
        }
    }

    public void Dispose()
    {
        if (_stopping.IsCancellationRequested) return;
        _stopping.Cancel();
        foreach (WatchSubscription s in _subscriptions) s.Dispose();
        _queue.Writer.TryComplete();
        try { Task.WaitAll(_tasks.ToArray(), TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
    }
}
