using System.Text.Json.Nodes;
using VmSnapshot.Lab.Controllers;
using VmSnapshot.Lab.Json;

namespace VmSnapshot.Lab.GuestAgent;

/// <summary>The outcome of a freeze or thaw request to the emulated agent.</summary>
internal abstract record AgentResult
{
    public sealed record Done : AgentResult;
    /// <summary>The freeze is under way (fsfreeze hooks, VSS writers); ask again at <paramref name="ReadyAt"/> (lab time).</summary>
    public sealed record Pending(DateTime ReadyAt) : AgentResult;
    /// <summary>The launcher's error text (what virt-handler answers virt-api with HTTP 400).</summary>
    public sealed record Failed(string Error) : AgentResult;
}

/// <summary>
/// The qemu-guest-agent of every running VMI plus virt-handler's freeze/thaw plumbing (reference §3.2, §3.3 and
/// user-needs §4): connected or not (also flapping and not-ready-after-boot), idempotent freeze with latency and
/// injected failure (FreezeError event), auto-thaw after unfreezeTimeout, and Windows VSS, which releases writes
/// after 10 s so that a later thaw fails with "fsfreeze is limited up to 10 seconds". fsFreezeStatus is written
/// to the VMI as soon as the state changes. Thread-safe: the controllers and the HTTP subresources share it.
/// </summary>
internal sealed class GuestAgentService(ControllerHost host)
{
    private const string Component = "virt-handler";
    // Guards the agent states only. Lock order: the store's lock may be held when taking this one, never the reverse.
    private readonly object _gate = new();
    private readonly Dictionary<string, AgentState> _states = new(StringComparer.Ordinal);

    private sealed class AgentState
    {
        public DateTime BootedAt;
        public bool Running;
        public bool Frozen;
        public DateTime FrozenAt;
        public DateTime? AutoThawAt;
        public DateTime? FreezeReadyAt;
        public bool SeededWithoutAgent;
    }

    public void MarkBooted(JsonObject vmi)
    {
        lock (_gate)
        {
            AgentState s = State(vmi);
            s.Running = true;
            s.BootedAt = host.Clock.Now;
        }
    }

    public void Forget(string uid)
    {
        lock (_gate) _states.Remove(uid);
    }

    /// <summary>
    /// The agent of a VMI, created on first contact from the VMI itself, whoever comes first (the VMI controller or
    /// a request): a VMI already Running then (a scenario's) booted long ago, and has no agent if the scenario
    /// gave it no AgentConnected condition; a VMI still booting gets its agent when the VMI controller marks it Running.
    /// </summary>
    private AgentState State(JsonObject vmi)
    {
        string uid = Obj.Uid(vmi);
        if (_states.TryGetValue(uid, out AgentState? s)) return s;
        bool running = Obj.Str(vmi, "status", "phase") == "Running";
        _states[uid] = s = new AgentState
        {
            Running = running,
            BootedAt = running ? host.Clock.Now - TimeSpan.FromDays(1) : DateTime.MaxValue,
            SeededWithoutAgent = running && !Obj.HasCondition(vmi, "AgentConnected"),
        };
        return s;
    }

    /// <summary>Settings: the VM's annotation, then LabSettings guestAgents (ns/name, then name), else a connected Fedora agent.</summary>
    public GuestAgentSettings SettingsFor(JsonObject vmi)
    {
        string? ns = Obj.Namespace(vmi);
        string name = Obj.Name(vmi);
        JsonObject? vm = host.Store.Get(Plurals.VirtualMachines, ns, name);
        string? text = (vm == null ? null : Obj.Annotation(vm, GuestAgentSettings.Annotation)) ?? Obj.Annotation(vmi, GuestAgentSettings.Annotation);
        if (text != null)
        {
            try { return GuestAgentSettings.Parse(text.Trim() is "none" or "absent" ? JsonValue.Create(text.Trim()) : YamlToJson.ParseAll(text).FirstOrDefault(), $"VM {ns}/{name} annotation {GuestAgentSettings.Annotation}"); }
            catch (Exception ex) when (ex is FormatException or YamlDotNet.Core.YamlException) { return GuestAgentSettings.Absent; }
        }
        if (host.Settings.GuestAgents.TryGetValue($"{ns}/{name}", out GuestAgentSettings? s) || host.Settings.GuestAgents.TryGetValue(name, out s)) return s;
        lock (_gate)
        {
            if (State(vmi).SeededWithoutAgent) return GuestAgentSettings.Absent;
        }
        string? seededOs = Obj.Str(vmi, "status", "guestOSInfo", "id");
        return seededOs == null ? new GuestAgentSettings() : new GuestAgentSettings { Os = seededOs, OsInfo = vmi["status"]?["guestOSInfo"]?.DeepClone() as JsonObject };
    }

    /// <summary>Whether the agent channel is connected now (drives the AgentConnected condition).</summary>
    public bool IsConnected(JsonObject vmi) => ConnectedAt(vmi, host.Clock.Now, out _);

    /// <summary>Connected at lab time t; <paramref name="nextChange"/> is when that may change (flapping, boot readiness, auto-thaw).</summary>
    public bool ConnectedAt(JsonObject vmi, DateTime t, out DateTime? nextChange)
    {
        GuestAgentSettings settings = SettingsFor(vmi);
        nextChange = null;
        if (GuestHealth.IsNoBoot(vmi)) return false; // no OS, no agent
        AgentState s;
        lock (_gate) s = State(vmi);
        lock (_gate)
        {
            if (s.AutoThawAt != null) nextChange = s.AutoThawAt;
        }
        if (!settings.Connected || !s.Running) return false;
        DateTime readyAt = s.BootedAt + settings.ReadyAfterBoot;
        if (t < readyAt) { nextChange = Min(nextChange, readyAt); return false; }
        if (settings.FlapInterval <= TimeSpan.Zero) return true;
        long periods = (long)((t - readyAt).Ticks / settings.FlapInterval.Ticks);
        nextChange = Min(nextChange, readyAt + TimeSpan.FromTicks((periods + 1) * settings.FlapInterval.Ticks));
        return periods % 2 == 0;
    }

    private static DateTime? Min(DateTime? a, DateTime b) => a == null || b < a ? b : a;

    public bool IsFrozen(JsonObject vmi)
    {
        lock (_gate) return _states.TryGetValue(Obj.Uid(vmi), out AgentState? s) && s.Frozen;
    }

    /// <summary>guest-fsfreeze-freeze through virt-launcher. Idempotent; unfreezeTimeout &gt; 0 schedules an auto-thaw.</summary>
    public AgentResult Freeze(JsonObject vmi, TimeSpan unfreezeTimeout)
    {
        // Lock order: never touch the store while holding the agent lock (the store calls back into IsFrozen).
        GuestAgentSettings settings = SettingsFor(vmi);
        DateTime now = host.Clock.Now;
        bool connected = ConnectedAt(vmi, now, out _);
        string? error = null;
        lock (_gate)
        {
            AgentState s = State(vmi);
            if (!connected)
            {
                error = NotConnected("Freeze");
            }
            else if (s.Frozen)
            {
                return new AgentResult.Done();
            }
            else if (settings.DisabledCommands.Contains("guest-fsfreeze-freeze"))
            {
                error = CommandError("Freeze", "guest-fsfreeze-freeze", "The command guest-fsfreeze-freeze has been disabled for this instance");
            }
            else if (settings.FreezeError != null)
            {
                error = CommandError("Freeze", "guest-fsfreeze-freeze", settings.FreezeError);
            }
            else if (settings.FreezeLatency > TimeSpan.Zero && (s.FreezeReadyAt == null || now < s.FreezeReadyAt))
            {
                s.FreezeReadyAt ??= now + settings.FreezeLatency;
                return new AgentResult.Pending(s.FreezeReadyAt.Value);
            }
            else
            {
                s.FreezeReadyAt = null;
                s.Frozen = true;
                s.FrozenAt = now;
                s.AutoThawAt = unfreezeTimeout > TimeSpan.Zero ? now + unfreezeTimeout : null;
            }
        }
        if (error != null)
        {
            host.Events.Record(vmi, EventRecorder.Warning, "FreezeError", $"Failed to freeze VMI: {error}", Component);
            return new AgentResult.Failed(error);
        }
        WriteFreezeStatus(vmi, frozen: true);
        host.Enqueue<VirtualMachineInstanceController>(new ObjectKey(Obj.Namespace(vmi), Obj.Name(vmi)));
        return new AgentResult.Done();
    }

    /// <summary>guest-fsfreeze-thaw. A no-op when not frozen; on Windows after the VSS hold limit the thaw fails (the guest already thawed).</summary>
    public AgentResult Unfreeze(JsonObject vmi)
    {
        GuestAgentSettings settings = SettingsFor(vmi);
        DateTime now = host.Clock.Now;
        bool connected = ConnectedAt(vmi, now, out _);
        string? error = null;
        lock (_gate)
        {
            AgentState s = State(vmi);
            s.FreezeReadyAt = null;
            if (!connected) return new AgentResult.Failed(NotConnected("Unfreeze"));
            if (!s.Frozen) return new AgentResult.Done();
            if (settings.IsWindows && now - s.FrozenAt > settings.VssHoldLimit)
                error = CommandError("Unfreeze", "guest-fsfreeze-thaw", "couldn't hold writes: fsfreeze is limited up to 10 seconds: ");
            s.Frozen = false;
            s.AutoThawAt = null;
        }
        WriteFreezeStatus(vmi, frozen: false);
        return error == null ? new AgentResult.Done() : new AgentResult.Failed(error);
    }

    /// <summary>Auto-thaw once unfreezeTimeout passed (virt-launcher's timer). Returns true when it thawed.</summary>
    public bool Tick(JsonObject vmi)
    {
        lock (_gate)
        {
            if (!_states.TryGetValue(Obj.Uid(vmi), out AgentState? s) || !s.Frozen || s.AutoThawAt == null || host.Clock.Now < s.AutoThawAt) return false;
            s.Frozen = false;
            s.AutoThawAt = null;
        }
        WriteFreezeStatus(vmi, frozen: false);
        return true;
    }

    /// <summary>The VMI is going away: the guest is gone, and so is any freeze.</summary>
    public void Shutdown(JsonObject vmi)
    {
        lock (_gate)
        {
            AgentState s = State(vmi);
            s.Running = false;
            s.Frozen = false;
            s.AutoThawAt = null;
        }
    }

    private void WriteFreezeStatus(JsonObject vmi, bool frozen)
    {
        try
        {
            host.Store.Change(Plurals.VirtualMachineInstances, Obj.Namespace(vmi), Obj.Name(vmi), o =>
            {
                if (Obj.Uid(o) != Obj.Uid(vmi)) return;
                // virt-handler maps the launcher's "thawed" to an empty field (reference §3.2).
                if (frozen) Obj.Status(o)["fsFreezeStatus"] = "frozen";
                else Obj.Status(o).Remove("fsFreezeStatus");
            });
        }
        catch (Api.ApiException) { /* the VMI is gone */ }
    }

    private static string NotConnected(string command)
        => $"server error. command {command} failed: \"LibvirtError(Code=86, Domain=10, Message='Guest agent is not responding: QEMU guest agent is not connected')\"";

    private static string CommandError(string command, string agentCommand, string message)
        => $"server error. command {command} failed: \"LibvirtError(Code=1, Domain=10, Message='internal error: unable to execute QEMU agent command '{agentCommand}': {message}')\"";
}
