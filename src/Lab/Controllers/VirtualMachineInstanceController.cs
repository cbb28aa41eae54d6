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

    public override IEnumerable<ControllerWatch> Watches() =>
    [
        Own(Plurals.VirtualMachineInstances),
        Own(Plurals.VirtualMachines),
        new(Plurals.Pods, e => Obj.Items(e.Object!.ToJson()["metadata"]?["ownerReferences"])
            .Where(r => Obj.Str(r, "kind") == "VirtualMachineInstance").Select(r => new ObjectKey(e.Object.Namespace, Obj.Str(r, "name") ?? ""))),
    ];

    public override void AddIndexes()
        => Store.AddIndex(Plurals.Pods, LauncherPods.ByVmiIndex, p => Obj.Label(p, LauncherPods.CreatedByLabel) is { } uid ? [uid] : []);

    public override void Reconcile(ObjectKey key)
    {
        JsonObject? vmi = Store.Get(Plurals.VirtualMachineInstances, key.Namespace, key.Name);
        if (vmi == null) return;
        string uid = Obj.Uid(vmi);
        string phase = Obj.Str(vmi, "status", "phase") ?? "Pending";
        if (!_firstSeen.TryGetValue(uid, out DateTime seen)) _firstSeen[uid] = seen = LabNow;

        if (Obj.Deleting(vmi)) { ShutDown(key, vmi, uid); return; }
        if (RunStrategy.IsFinal(phase)) return;
        if (!SyncLauncherPod(key, vmi, phase)) return;

        int index = Array.IndexOf(s_bootPhases, phase);
        if (index is >= 0 and < 3)
        {
            TimeSpan step = Host.Settings.VmStartDuration / 3;
            DateTime due = seen + step * (index + 1);
            if (LabNow < due) { Requeue(key, due - LabNow); return; }
            string next = s_bootPhases[index + 1];
            if (next == "Running") Host.Agents.MarkBooted(vmi);
            // virt-controller creates the launcher pod of a Pending VMI and moves it to Scheduling (watch/vmi
            // lifecycle.go); the scheduler and kubelet then run it on the node the VMI reports from Scheduled on.
            string? podUid = next == "Scheduling" ? Obj.Uid(Store.Create(LauncherPods.Render(vmi, LauncherImage))) : null;
            JsonObject updated = Store.Update(Plurals.VirtualMachineInstances, key.Namespace, key.Name, o =>
            {
                SetPhase(o, next);
                if (podUid != null) SetActivePods(o, podUid, "");
            });
            if (next == "Scheduled") SyncLauncherPod(key, updated, next);
            Requeue(key, TimeSpan.Zero);
            return;
        }
        Host.Agents.Tick(vmi);
        UpdateAgentStatus(key);
    }

    private string LauncherImage => "registry.example.internal/kubevirt/virt-launcher:" + Host.Settings.KubeVirt.Version;

    /// <summary>
    /// Keeps the VMI's launcher pod in step with it; false when the pod is gone under a VMI that had one, which
    /// fails the VMI as virt-controller does for a pod that went down (watch/vmi lifecycle.go isPodDownOrGoingDown).
    /// A VMI past Pending without a pod, as a scenario seeds running ones, gets its pod as the cluster it was
    /// taken from had it. status.activePods maps the pod's uid to its node (setActivePods).
    /// </summary>
    private bool SyncLauncherPod(ObjectKey key, JsonObject vmi, string phase)
    {
        JsonObject? pod = LauncherPodOf(key, vmi);
        if (pod == null)
        {
            if (vmi["status"]?["activePods"] is JsonObject { Count: > 0 })
            {
                Store.Change(Plurals.VirtualMachineInstances, key.Namespace, key.Name, o =>
                {
                    if (Obj.Uid(o) != Obj.Uid(vmi)) return;
                    SetPhase(o, "Failed");
                    Obj.Status(o)["activePods"] = new JsonObject();
                    Obj.RemoveCondition(Obj.Status(o), "AgentConnected");
                });
                return false;
            }
            if (phase == "Pending") return true; // the boot step to Scheduling makes it
        }
        string? node = Obj.Str(vmi, "status", "nodeName");
        bool runs = phase is "Scheduled" or "Running" && node != null;
        if (pod == null)
        {
            JsonObject rendered = LauncherPods.Render(vmi, LauncherImage);
            if (runs) LauncherPods.Run(rendered, vmi, node!);
            pod = Store.Create(rendered);
        }
        else if (runs)
        {
            pod = Store.Update(Plurals.Pods, key.Namespace, Obj.Name(pod), p => LauncherPods.Run(p, vmi, node!));
        }
        string podUid = Obj.Uid(pod), podNode = Obj.Str(pod, "spec", "nodeName") ?? "";
        if (Obj.Str(vmi, "status", "activePods", podUid) != podNode || vmi["status"]?["activePods"] is not JsonObject { Count: 1 })
            Store.Change(Plurals.VirtualMachineInstances, key.Namespace, key.Name, o => SetActivePods(o, podUid, podNode));
        return true;
    }

    private JsonObject? LauncherPodOf(ObjectKey key, JsonObject vmi)
        => Store.Lookup(Plurals.Pods, LauncherPods.ByVmiIndex, key.Namespace, Obj.Uid(vmi))
            .Select(name => Store.Get(Plurals.Pods, key.Namespace, name)).FirstOrDefault(p => p != null);

    private static void SetActivePods(JsonObject vmi, string podUid, string node)
        => Obj.Status(vmi)["activePods"] = new JsonObject { [podUid] = node };

    private void ShutDown(ObjectKey key, JsonObject vmi, string uid)
    {
        if (!Obj.HasFinalizer(vmi, VirtualMachineController.VmiFinalizer)) return;
        if (!_stopRequested.TryGetValue(uid, out DateTime since)) _stopRequested[uid] = since = LabNow;
        Host.Agents.Shutdown(vmi);
        DateTime due = since + Host.Settings.VmStopDuration;
        if (LabNow < due) { Requeue(key, due - LabNow); return; }
        // The domain is down, so virt-launcher exits and the kubelet reports its pod Succeeded; the pod goes with the
        // VMI (garbage collector).
        if (LauncherPodOf(key, vmi) is { } pod)
            Store.Change(Plurals.Pods, key.Namespace, Obj.Name(pod), LauncherPods.Complete);
        Store.Change(Plurals.VirtualMachineInstances, key.Namespace, key.Name, o =>
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
            status["nodeName"] = "worker-1.example.internal";
            Obj.Child(Obj.Meta(vmi), "labels")["kubevirt.io/nodeName"] = "worker-1.example.internal";
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
        Store.Change(Plurals.VirtualMachineInstances, key.Namespace, key.Name, o =>
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
