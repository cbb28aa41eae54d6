using System.Text.Json.Nodes;
using VmSnapshot.Lab.Admission;
using VmSnapshot.Lab.Api;

using VmSnapshot.Lab.Controllers;

namespace VmSnapshot.Lab.Controllers.Subresources;

/// <summary>
/// virt-api's lifecycle handlers (rest/lifecycle.go, reference §3.3): start/stop/restart decide by runStrategy
/// between patching spec.runStrategy (Halted ↔ Always; that patch passes the VM webhook, so it is refused during a
/// snapshot or restore) and queueing status.stateChangeRequests (Manual, RerunOnFailure, restart); pause/unpause
/// set the VMI's Paused condition. The VM controller does the rest.
/// </summary>
internal sealed class LifecycleSubresources(ControllerHost host)
{
    private Store.LabStore Store => host.Store;

    public void Start(string ns, string name, JsonObject? options, bool dryRun)
    {
        JsonObject vm = Store.Get(Plurals.VirtualMachines, ns, name) ?? throw Errors.NotFound(Store.Catalog.Resolve(Plurals.VirtualMachines), name);
        JsonObject? vmi = Store.Get(Plurals.VirtualMachineInstances, ns, name);
        string strategy = RunStrategy.Of(vm);
        string? phase = Obj.Str(vmi, "status", "phase");
        if (vmi != null && !RunStrategy.IsFinal(phase) && phase is not (null or "" or "Unknown"))
            throw SubresourceErrors.Conflict("virtualmachine", name, "VM is already running");
        switch (strategy)
        {
            case RunStrategy.Halted:
                PatchRunStrategy(vm, RunStrategy.Always, dryRun);
                break;
            case RunStrategy.RerunOnFailure when phase == "Failed":
                throw SubresourceErrors.Conflict("virtualmachine", name, "RerunOnFailure does not support starting VM from failed state");
            case RunStrategy.Manual or RunStrategy.RerunOnFailure:
                if (!dryRun) AddStateChanges(ns, name, new JsonObject { ["action"] = "Start" });
                break;
            default:
                throw SubresourceErrors.Conflict("virtualmachine", name, $"{strategy} does not support manual start requests");
        }
    }

    public void Stop(string ns, string name, JsonObject? options, bool dryRun)
    {
        JsonObject vm = Store.Get(Plurals.VirtualMachines, ns, name) ?? throw Errors.NotFound(Store.Catalog.Resolve(Plurals.VirtualMachines), name);
        JsonObject? vmi = Store.Get(Plurals.VirtualMachineInstances, ns, name);
        string strategy = RunStrategy.Of(vm);
        bool running = vmi != null && !RunStrategy.IsFinal(Obj.Str(vmi, "status", "phase"));
        if (strategy == RunStrategy.Halted)
        {
            if (!running) throw SubresourceErrors.Conflict("virtualmachine", name, "VM is not running");
            if (options?["gracePeriod"] == null) throw SubresourceErrors.Conflict("virtualmachine", name, "Halted only supports manual stop requests with a shorter graceperiod");
            if (!dryRun) Store.Delete(Plurals.VirtualMachineInstances, ns, name);
            return;
        }
        if (!running) throw SubresourceErrors.Conflict("virtualmachine", name, "VM is not running");
        switch (strategy)
        {
            case RunStrategy.Manual or RunStrategy.RerunOnFailure:
                if (!dryRun) AddStateChanges(ns, name, new JsonObject { ["action"] = "Stop", ["uid"] = Obj.Uid(vmi!) });
                break;
            default:
                PatchRunStrategy(vm, RunStrategy.Halted, dryRun);
                break;
        }
    }

    public void Restart(string ns, string name, JsonObject? options, bool dryRun)
    {
        if (options?["gracePeriodSeconds"] is JsonValue g && g.ToString() != "0")
            throw SubresourceErrors.BadRequest("For force restart, only gracePeriod=0 is supported for now");
        JsonObject vm = Store.Get(Plurals.VirtualMachines, ns, name) ?? throw Errors.NotFound(Store.Catalog.Resolve(Plurals.VirtualMachines), name);
        string strategy = RunStrategy.Of(vm);
        if (strategy is RunStrategy.Halted or RunStrategy.Once)
            throw SubresourceErrors.Conflict("virtualmachine", name, $"RunStategy {strategy} does not support manual restart requests");
        JsonObject? vmi = Store.Get(Plurals.VirtualMachineInstances, ns, name);
        if (vmi == null || RunStrategy.IsFinal(Obj.Str(vmi, "status", "phase")))
            throw SubresourceErrors.Conflict("virtualmachine", name, $"VM is not running: {strategy}");
        if (!dryRun) AddStateChanges(ns, name, new JsonObject { ["action"] = "Stop", ["uid"] = Obj.Uid(vmi) }, new JsonObject { ["action"] = "Start" });
    }

    public void Pause(string ns, string name, bool dryRun)
    {
        JsonObject vmi = RunningVmi(ns, name);
        if (Obj.HasCondition(vmi, "Paused", "True")) throw SubresourceErrors.Conflict("virtualmachineinstance", name, "VMI is already paused");
        if (dryRun) return;
        Store.Change(Plurals.VirtualMachineInstances, ns, name, o => Obj.SetCondition(Obj.Status(o), "Paused", "True", "PausedByUser", "VMI was paused by user"));
        host.Events.Record(vmi, EventRecorder.Normal, "Paused", "VirtualMachineInstance paused", "virt-handler");
    }

    public void Unpause(string ns, string name, bool dryRun)
    {
        JsonObject vmi = RunningVmi(ns, name);
        JsonObject? vm = Store.Get(Plurals.VirtualMachines, ns, name);
        if (Obj.Str(vm, "status", "snapshotInProgress") != null) throw SubresourceErrors.Conflict("virtualmachineinstance", name, "VM snapshot is in progress");
        if (!Obj.HasCondition(vmi, "Paused", "True")) throw SubresourceErrors.Conflict("virtualmachineinstance", name, "VMI is not paused");
        if (dryRun) return;
        Store.Change(Plurals.VirtualMachineInstances, ns, name, o => Obj.RemoveCondition(Obj.Status(o), "Paused"));
        host.Events.Record(vmi, EventRecorder.Normal, "Unpaused", "VirtualMachineInstance unpaused", "virt-handler");
    }

    private JsonObject RunningVmi(string ns, string name)
    {
        JsonObject vmi = Store.Get(Plurals.VirtualMachineInstances, ns, name) ?? throw SubresourceErrors.NotFound("virtualmachineinstance", name);
        if (Obj.Str(vmi, "status", "phase") != "Running") throw SubresourceErrors.Conflict("virtualmachineinstance", name, "VMI is not running");
        return vmi;
    }

    /// <summary>The JSON patch virt-api sends: spec.runStrategy (or spec.running), checked by the VM webhook.</summary>
    private void PatchRunStrategy(JsonObject vm, string strategy, bool dryRun)
    {
        ApiException? denial = VirtualMachineWebhook.RunStateChangeDenial(vm);
        if (denial != null) throw Errors.Internal(denial.Message);
        if (dryRun) return;
        Store.Change(Plurals.VirtualMachines, Obj.Namespace(vm), Obj.Name(vm), o =>
        {
            JsonObject spec = Obj.Child(o, "spec");
            if (spec["running"] != null) spec["running"] = strategy == RunStrategy.Always;
            else spec["runStrategy"] = strategy;
        });
    }

    private void AddStateChanges(string ns, string name, params JsonObject[] requests) => Store.Change(Plurals.VirtualMachines, ns, name, o =>
    {
        JsonArray list = Obj.Array(Obj.Status(o), "stateChangeRequests");
        foreach (JsonObject r in requests) list.Add(r);
    });
}
