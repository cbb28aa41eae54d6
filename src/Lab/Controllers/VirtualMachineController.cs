using System.Text.Json.Nodes;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// virt-controller's VM loop: turns runStrategy (or the deprecated running) and status.stateChangeRequests
/// (from the start/stop/restart subresources) into VMI creation and deletion, and keeps the VM status in step:
/// printableStatus (Stopped, Starting, Running, Paused, Stopping, Terminating), created/ready, the mirrored VMI
/// conditions, runStrategy, and status.volumeSnapshotStatuses for every VM (the snapshot controller's job in
/// KubeVirt, reference §3.1).
/// </summary>
internal sealed class VirtualMachineController(ControllerHost host) : Controller(host)
{
    public const string VmiFinalizer = "foregroundDeleteVirtualMachine";
    private const string Component = "virtualmachine-controller";
    private static readonly string[] s_mirroredConditions = ["Ready", "Paused", "AgentConnected", "AgentVersionNotSupported", "LiveMigratable", "StorageLiveMigratable"];
    private readonly HashSet<string> _startedOnce = new(StringComparer.Ordinal);

    public override string Name => "virtualmachine";

    public override IEnumerable<ControllerWatch> Watches() =>
    [
        Own(Plurals.VirtualMachines),
        Own(Plurals.VirtualMachineInstances),
        new(Plurals.PersistentVolumeClaims, e => VmsUsingClaim(e.Object!.Namespace, e.Object.Name)),
        new(Plurals.StorageClasses, _ => AllVms()),
        new(Plurals.VolumeSnapshotClasses, _ => AllVms()),
        new("storageprofiles", _ => AllVms()),
    ];

    private IEnumerable<ObjectKey> AllVms() => Store.List(Plurals.VirtualMachines).Select(v => new ObjectKey(Obj.Namespace(v), Obj.Name(v)));

    public override void AddIndexes() => VmVolumes.AddClaimIndex(Store);

    private IEnumerable<ObjectKey> VmsUsingClaim(string? ns, string claim) => Lookup(Plurals.VirtualMachines, VmVolumes.ByClaimIndex, ns, claim);

    public override void Reconcile(ObjectKey key)
    {
        JsonObject? vm = Store.Get(Plurals.VirtualMachines, key.Namespace, key.Name);
        if (vm == null || Obj.Deleting(vm)) return; // the VMI goes with it through its ownerReference
        JsonObject? vmi = Store.Get(Plurals.VirtualMachineInstances, key.Namespace, key.Name);
        string strategy = RunStrategy.Of(vm);
        List<JsonObject> requests = Obj.Items(vm["status"]?["stateChangeRequests"]).ToList();
        int handled = 0;

        if (requests.Count > 0)
        {
            // Requests are worked off in order: restart is [Stop(uid), Start].
            foreach (JsonObject? request in requests)
            {
                string? action = Obj.Str(request, "action");
                if (action == "Stop")
                {
                    string? uid = Obj.Str(request, "uid");
                    if (vmi != null && (uid == null || uid == Obj.Uid(vmi)))
                    {
                        if (!Obj.Deleting(vmi)) StopVmi(vm, vmi);
                        break; // wait until it is gone
                    }
                    handled++;
                }
                else if (action == "Start")
                {
                    if (vmi == null) vmi = StartVmi(vm);
                    handled++;
                }
                else
                {
                    handled++;
                }
            }
        }
        else
        {
            bool final = vmi != null && RunStrategy.IsFinal(Obj.Str(vmi, "status", "phase"));
            switch (strategy)
            {
                case RunStrategy.Always:
                case RunStrategy.RerunOnFailure when !(final && Obj.Str(vmi!, "status", "phase") == "Succeeded"):
                    if (vmi == null) vmi = StartVmi(vm);
                    else if (final && !Obj.Deleting(vmi)) StopVmi(vm, vmi); // recreated once gone
                    break;
                case RunStrategy.Once:
                    if (vmi == null && _startedOnce.Add(Obj.Uid(vm))) vmi = StartVmi(vm);
                    break;
                case RunStrategy.Halted:
                    if (vmi != null && !Obj.Deleting(vmi)) StopVmi(vm, vmi);
                    break;
            }
        }
        if (vmi != null) _startedOnce.Add(Obj.Uid(vm));
        UpdateStatus(key, strategy, handled);
    }

    private JsonObject StartVmi(JsonObject vm)
    {
        JsonObject template = vm["spec"]?["template"] as JsonObject ?? new JsonObject();
        string revision = $"revision-start-vm-{Obj.Uid(vm)}-{vm["metadata"]?["generation"]?.GetValue<long>() ?? 1}";
        Host.Revisions[revision] = (JsonObject)vm["spec"]!.DeepClone();
        JsonObject meta = new()
        {
            ["name"] = Obj.Name(vm),
            ["namespace"] = Obj.Namespace(vm),
            ["labels"] = Obj.Clone(template["metadata"]?["labels"]) ?? new JsonObject(),
            ["ownerReferences"] = new JsonArray(Obj.OwnerRef(vm)),
            ["finalizers"] = new JsonArray("kubevirt.io/virtualMachineControllerFinalize", VmiFinalizer),
        };
        if (template["metadata"]?["annotations"] is JsonObject annotations) meta["annotations"] = annotations.DeepClone();
        JsonObject vmi = Store.Create(new JsonObject
        {
            ["apiVersion"] = "kubevirt.io/v1",
            ["kind"] = "VirtualMachineInstance",
            ["metadata"] = meta,
            ["spec"] = Obj.Clone(template["spec"]) ?? new JsonObject(),
            ["status"] = new JsonObject
            {
                ["phase"] = "Pending",
                ["virtualMachineRevisionName"] = revision,
                ["phaseTransitionTimestamps"] = new JsonArray(new JsonObject { ["phase"] = "Pending", ["phaseTransitionTimestamp"] = Obj.Timestamp() }),
            },
        });
        Host.Events.Record(vm, EventRecorder.Normal, "SuccessfulCreate", $"Started the virtual machine by creating the new virtual machine instance {Obj.Name(vm)}", Component);
        return vmi;
    }

    private void StopVmi(JsonObject vm, JsonObject vmi)
    {
        Store.Delete(Plurals.VirtualMachineInstances, Obj.Namespace(vmi), Obj.Name(vmi));
        Host.Events.Record(vm, EventRecorder.Normal, "SuccessfulDelete", $"Stopped the virtual machine by deleting the virtual machine instance {Obj.Uid(vmi)}", Component);
    }

    private void UpdateStatus(ObjectKey key, string strategy, int handledRequests)
    {
        JsonObject? vmi = Store.Get(Plurals.VirtualMachineInstances, key.Namespace, key.Name);
        Store.Change(Plurals.VirtualMachines, key.Namespace, key.Name, vm =>
        {
            JsonObject status = Obj.Status(vm);
            if (handledRequests > 0 && status["stateChangeRequests"] is JsonArray requests)
            {
                for (int i = 0; i < handledRequests && requests.Count > 0; i++) requests.RemoveAt(0);
                if (requests.Count == 0) status.Remove("stateChangeRequests");
            }
            string? phase = Obj.Str(vmi, "status", "phase");
            bool paused = Obj.HasCondition(vmi, "Paused", "True");
            status["printableStatus"] = vmi switch
            {
                null => "Stopped",
                _ when Obj.Deleting(vmi) => "Stopping",
                _ when phase == "Running" && paused => "Paused",
                _ when phase == "Running" => "Running",
                _ when RunStrategy.IsFinal(phase) => "Stopped",
                _ => "Starting",
            };
            bool ready = vmi != null && !Obj.Deleting(vmi) && phase == "Running" && Obj.HasCondition(vmi, "Ready", "True");
            status["created"] = vmi != null;
            status["ready"] = ready;
            if (vmi == null) status.Remove("created");
            if (!ready) status.Remove("ready");
            status["runStrategy"] = strategy;
            long generation = vm["metadata"]?["generation"]?.GetValue<long>() ?? 1;
            status["observedGeneration"] = generation;
            status["desiredGeneration"] = generation;
            status["volumeSnapshotStatuses"] = VmVolumes.SnapshotStatuses(Store, vm);
            MirrorConditions(status, vmi);
        });
    }

    /// <summary>The VM's conditions follow its VMI's; without a VMI, Ready=False VMINotExists.</summary>
    private static void MirrorConditions(JsonObject status, JsonObject? vmi)
    {
        if (vmi == null || Obj.Deleting(vmi))
        {
            foreach (string? type in s_mirroredConditions.Skip(1)) Obj.RemoveCondition(status, type);
            Obj.SetCondition(status, "Ready", "False", "VMINotExists", "VMI does not exist");
            return;
        }
        Dictionary<string, JsonObject> vmiConditions = Obj.Items(vmi["status"]?["conditions"]).ToDictionary(c => Obj.Str(c, "type") ?? "");
        foreach (string type in s_mirroredConditions)
        {
            if (vmiConditions.TryGetValue(type, out JsonObject? c))
            {
                JsonArray list = Obj.Array(status, "conditions");
                JsonObject? existing = Obj.Items(list).FirstOrDefault(x => Obj.Str(x, "type") == type);
                if (existing != null && JsonNode.DeepEquals(existing, c)) continue;
                if (existing != null) list[list.IndexOf(existing)] = c.DeepClone();
                else list.Add(c.DeepClone());
            }
            else if (type == "Ready")
            {
                Obj.SetCondition(status, "Ready", "False", "PodNotExists", "virt-launcher pod has not yet been scheduled");
            }
            else
            {
                Obj.RemoveCondition(status, type);
            }
        }
    }
}
