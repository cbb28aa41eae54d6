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
    private readonly Channel<(Controller Controller, ObjectKey Key)> queue = Channel.CreateUnbounded<(Controller, ObjectKey)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HashSet<(Controller, ObjectKey)> pending = [];
    private readonly List<Controller> controllers = [];
    private readonly List<WatchSubscription> subscriptions = [];
    private readonly List<Task> tasks = [];
    private readonly CancellationTokenSource stopping = new();
    private readonly List<string> errors = [];
    private int initialPumps;
    private int inFlight;
    private long lastActivity;

    internal ControllerHost(LabStore store, LabClock clock, ControllerSettings settings)
    {
        Store = store;
        Clock = clock;
        Settings = settings;
        Events = new EventRecorder(store);
        Storage = new StorageSettingsResolver(store, settings);
        Agents = new GuestAgentService(this);
        controllers.AddRange(
        [
            new VirtualMachineController(this),
            new VirtualMachineInstanceController(this),
            new PersistentVolumeBinder(this),
            new CsiSnapshotter(this),
            new VirtualMachineSnapshotController(this),
            new VirtualMachineSnapshotContentController(this),
            new VirtualMachineRestoreController(this),
            new VirtualMachineCloneController(this),
        ]);
        foreach (var controller in controllers) controller.AddIndexes();
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
    public IReadOnlyList<string> Errors { get { lock (errors) return errors.ToList(); } }

    internal T Get<T>() where T : Controller => controllers.OfType<T>().Single();

    internal void Start()
    {
        var byResource = controllers.SelectMany(c => c.Watches().Select(w => (Controller: c, Watch: w)))
            .GroupBy(x => Store.Catalog.Resolve(x.Watch.Resource).Plural);
        var groups = byResource.ToList();
        initialPumps = groups.Count;
        foreach (var group in groups)
        {
            var sub = Store.Watch(group.Key, 0);
            subscriptions.Add(sub);
            var watchers = group.ToList();
            tasks.Add(Task.Run(() => PumpAsync(sub, watchers)));
        }
        tasks.Add(Task.Run(WorkAsync));
    }

    private async Task PumpAsync(WatchSubscription sub, List<(Controller Controller, ControllerWatch Watch)> watchers)
    {
        void Dispatch(WatchEvent e)
        {
            if (e.Object == null) return;
            foreach (var (controller, watch) in watchers)
            {
                IEnumerable<ObjectKey> keys;
                try { keys = watch.Keys(e).ToList(); }
                catch (Exception ex) { Note($"{controller.Name}: mapping {e.Type} {e.Object.Name}: {ex.Message}"); continue; }
                foreach (var key in keys) Enqueue(controller, key);
            }
        }
        try
        {
            foreach (var e in sub.Initial) Dispatch(e);
            Interlocked.Decrement(ref initialPumps);
            await foreach (var e in sub.Reader.ReadAllAsync(stopping.Token)) Dispatch(e);
        }
        catch (OperationCanceledException) { }
    }

    internal void Enqueue(Controller controller, ObjectKey key)
    {
        lock (pending)
        {
            if (!pending.Add((controller, key))) return;
        }
        queue.Writer.TryWrite((controller, key));
    }

    internal void EnqueueAfter(Controller controller, ObjectKey key, TimeSpan labDelay)
    {
        if (labDelay <= TimeSpan.Zero) { Enqueue(controller, key); return; }
        _ = Clock.Delay(labDelay, stopping.Token).ContinueWith(t => { if (!t.IsCanceled) Enqueue(controller, key); }, TaskScheduler.Default);
    }

    /// <summary>Enqueues a key for the controller of a given type (used when one controller's work concerns another's objects).</summary>
    internal void Enqueue<T>(ObjectKey key) where T : Controller => Enqueue(Get<T>(), key);

    private async Task WorkAsync()
    {
        try
        {
            while (await queue.Reader.WaitToReadAsync(stopping.Token))
            {
                while (queue.Reader.TryRead(out var item))
                {
                    lock (pending) pending.Remove(item);
                    Interlocked.Increment(ref inFlight);
                    try { item.Controller.Reconcile(item.Key); }
                    catch (ApiException ex) when (ex.Code is 404 or 409)
                    {
                        // Somebody changed or removed the object meanwhile: look again shortly, as a workqueue retry does.
                        EnqueueAfter(item.Controller, item.Key, TimeSpan.FromMilliseconds(200));
                    }
                    catch (Exception ex) when (!stopping.IsCancellationRequested)
                    {
                        Note($"{item.Controller.Name} {item.Key}: {ex.GetType().Name}: {ex.Message}");
                        EnqueueAfter(item.Controller, item.Key, TimeSpan.FromSeconds(5));
                    }
                    finally
                    {
                        Interlocked.Decrement(ref inFlight);
                        Interlocked.Exchange(ref lastActivity, Environment.TickCount64);
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
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (Environment.TickCount64 < deadline)
        {
            bool empty;
            lock (pending) empty = pending.Count == 0;
            if (empty && Volatile.Read(ref initialPumps) == 0 && Volatile.Read(ref inFlight) == 0
                && Environment.TickCount64 - Interlocked.Read(ref lastActivity) > 30) return true;
            Thread.Sleep(5);
        }
        return false;
    }

    private void Note(string message)
    {
        Trace.WriteLine("kubevirt-lab controller: " + message);
        lock (errors)
        {
            errors.Add(message);
            if (errors.Count > 50) errors.RemoveAt(0);
        }
    }

    public void Dispose()
    {
        if (stopping.IsCancellationRequested) return;
        stopping.Cancel();
        foreach (var s in subscriptions) s.Dispose();
        queue.Writer.TryComplete();
        try { Task.WaitAll(tasks.ToArray(), TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
    }
}
