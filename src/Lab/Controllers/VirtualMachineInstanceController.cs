using System.Text.Json.Nodes;
using VmSnapshot.Lab.GuestAgent;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// virt-handler's side of a VMI: the boot sequence Pending → Scheduling → Scheduled → Running over the lab's
/// vmStart duration, the graceful shutdown (phase Succeeded, then the finalizer goes) over vmStop, and the
/// guest-agent facts in status: the AgentConnected condition (present only while connected, reference §3.2),
/// guestOSInfo, and fsFreezeStatus after an auto-thaw.
/// </summary>
internal sealed class VirtualMachineInstanceController(ControllerHost host) : Controller(host)
{
    private static readonly string[] s_bootPhases = ["Pending", "Scheduling", "Scheduled", "Running"];
    private readonly Dictionary<string, DateTime> _firstSeen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTime> _stopRequested = new(StringComparer.Ordinal);

    public override string Name => "virtualmachineinstance";

    public override IEnumerable<ControllerWatch> Watches() => [Own(Plurals.VirtualMachineInstances), Own(Plurals.VirtualMachines)];

    public override void Reconcile(ObjectKey key)
    {
        JsonObject? vmi = Store.Get(Plurals.VirtualMachineInstances, key.Namespace, key.Name);
        if (vmi == null) return;
        string uid = Obj.Uid(vmi);
        string phase = Obj.Str(vmi, "status", "phase") ?? "Pending";
        if (!_firstSeen.TryGetValue(uid, out DateTime seen)) _firstSeen[uid] = seen = LabNow;

        if (Obj.Deleting(vmi)) { ShutDown(key, vmi, uid); return; }
        if (RunStrategy.IsFinal(phase)) return;

        int index = Array.IndexOf(s_bootPhases, phase);
        if (index is >= 0 and < 3)
        {
            TimeSpan step = Host.Settings.VmStartDuration / 3;
            DateTime due = seen + step * (index + 1);
            if (LabNow < due) { Requeue(key, due - LabNow); return; }
            string next = s_bootPhases[index + 1];
            if (next == "Running") Host.Agents.MarkBooted(vmi);
            Store.Update(Plurals.VirtualMachineInstances, key.Namespace, key.Name, o => SetPhase(o, next));
            Requeue(key, TimeSpan.Zero);
            return;
        }
        Host.Agents.Tick(vmi);
        UpdateAgentStatus(key);
    }

    private void ShutDown(ObjectKey key, JsonObject vmi, string uid)
    {
        if (!Obj.HasFinalizer(vmi, VirtualMachineController.VmiFinalizer)) return;
        if (!_stopRequested.TryGetValue(uid, out DateTime since)) _stopRequested[uid] = since = LabNow;
        Host.Agents.Shutdown(vmi);
        DateTime due = since + Host.Settings.VmStopDuration;
        if (LabNow < due) { Requeue(key, due - LabNow); return; }
        Store.Update(Plurals.VirtualMachineInstances, key.Namespace, key.Name, o =>
        {
            if (Obj.Uid(o) != uid) return;
            SetPhase(o, "Succeeded");
            Obj.RemoveCondition(Obj.Status(o), "AgentConnected");
            Obj.Status(o).Remove("fsFreezeStatus");
            Obj.RemoveFinalizer(o, VirtualMachineController.VmiFinalizer);
            Obj.RemoveFinalizer(o, "kubevirt.io/virtualMachineControllerFinalize");
        });
        _stopRequested.Remove(uid);
        _firstSeen.Remove(uid);
        Host.Agents.Forget(uid);
    }

    private void SetPhase(JsonObject vmi, string phase)
    {
        JsonObject status = Obj.Status(vmi);
        status["phase"] = phase;
        Obj.Array(status, "phaseTransitionTimestamps").Add(new JsonObject { ["phase"] = phase, ["phaseTransitionTimestamp"] = Obj.Timestamp() });
        if (phase == "Scheduled" || phase == "Running")
        {
            status["nodeName"] = "worker-1.lab.internal";
            Obj.Child(Obj.Meta(vmi), "labels")["kubevirt.io/nodeName"] = "worker-1.lab.internal";
        }
        if (phase != "Running") return;
        // virt-controller copies the virt-launcher pod's Ready condition to the VMI (pkg/virt-controller/watch/vmi.go),
        // and the pod carries the VM's readinessProbe: a guest the lab is told is broken fails its probe, which
        // kubelet reports as ContainersNotReady (pkg/kubelet/status/generate.go).
        if (GuestHealth.IsNotReady(vmi))
            Obj.SetCondition(status, "Ready", "False", "ContainersNotReady", "containers with unready status: [compute]");
        else
            Obj.SetCondition(status, "Ready", "True", "");
        Obj.SetCondition(status, "LiveMigratable", "True", "");
        status["qosClass"] = "Burstable";
        status["launcherContainerImageVersion"] = "registry.example.internal/kubevirt/virt-launcher:" + Host.Settings.KubeVirt.Version;
        status["volumeStatus"] = new JsonArray(Obj.Items(vmi["spec"]?["volumes"]).Select((v, i) =>
            (JsonNode)new JsonObject { ["name"] = Obj.Str(v, "name"), ["target"] = $"vd{(char)('a' + i)}" }).ToArray());
        List<JsonObject> macs = Obj.Items(vmi["spec"]?["domain"]?["devices"]?["interfaces"]).ToList();
        status["interfaces"] = new JsonArray(macs.Select((iface, i) => (JsonNode)new JsonObject
        {
            ["name"] = Obj.Str(iface, "name"),
            ["mac"] = Obj.Str(iface, "macAddress") ?? $"02:5e:1a:ff:{i:x2}:{Math.Abs(Obj.Uid(vmi).GetHashCode()) % 256:x2}",
            ["ipAddress"] = $"10.128.3.{10 + Math.Abs(Obj.Uid(vmi).GetHashCode()) % 200}",
            ["interfaceName"] = $"eth{i}",
            ["infoSource"] = "domain",
        }).ToArray());
    }

    /// <summary>AgentConnected present only while connected; guestOSInfo from the agent; the next flap, boot readiness or auto-thaw requeues.</summary>
    private void UpdateAgentStatus(ObjectKey key)
    {
        JsonObject vmi = Store.Get(Plurals.VirtualMachineInstances, key.Namespace, key.Name)!;
        bool connected = Host.Agents.ConnectedAt(vmi, LabNow, out DateTime? nextChange);
        GuestAgentSettings settings = Host.Agents.SettingsFor(vmi);
        bool frozen = Host.Agents.IsFrozen(vmi);
        Store.Update(Plurals.VirtualMachineInstances, key.Namespace, key.Name, o =>
        {
            JsonObject status = Obj.Status(o);
            if (connected)
            {
                Obj.SetCondition(status, "AgentConnected", "True", "");
                // What the scenario seeded stays, unless the settings describe another OS or override fields.
                if (settings.OsInfo != null || Obj.Str(status, "guestOSInfo", "id") != GuestOsInfo.For(settings, o)["id"]?.ToString())
                    status["guestOSInfo"] = GuestOsInfo.For(settings, o);
            }
            else
            {
                Obj.RemoveCondition(status, "AgentConnected");
            }

            if (!frozen) status.Remove("fsFreezeStatus");
        });
        if (nextChange != null) Requeue(key, nextChange.Value - LabNow + TimeSpan.FromMilliseconds(1));
    }
}
