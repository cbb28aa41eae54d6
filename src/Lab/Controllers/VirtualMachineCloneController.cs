using System.Text.Json.Nodes;
using VmSnapshot.Lab.Admission;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// KubeVirt's clone controller (reference §2, clone.go): wait for the source (Pending, SourceDoesNotExist) and for
/// snapshot support of every disk, take a temporary snapshot tmp-snapshot-&lt;uid&gt; (SnapshotInProgress), restore it
/// as tmp-restore-&lt;uid&gt; to the target with generated patches — blank or new MACs, SMBIOS serial, firmware UUID,
/// filtered labels and annotations — plus the user's (RestoreInProgress), then CreatingTargetVM and Succeeded, and
/// clean up once the new PVCs are bound. A target name that already exists leaves the temporary restore retrying
/// "restore target already exists" and the clone in RestoreInProgress with no error: the silent hang of kubevirt#10935.
/// </summary>
internal sealed class VirtualMachineCloneController(ControllerHost host) : Controller(host)
{
    private const string Component = "virt-controller";
    private const string StillProcessing = "Still processing";

    public override string Name => "virtualmachineclone";

    public override IEnumerable<ControllerWatch> Watches() =>
    [
        Own(Plurals.VirtualMachineClones),
        new(Plurals.VirtualMachines, e => Lookup(Plurals.VirtualMachineClones, ByVm, e.Object!.Namespace, e.Object.Name)),
        new(Plurals.VirtualMachineSnapshots, e => Lookup(Plurals.VirtualMachineClones, BySnapshot, e.Object!.Namespace, e.Object.Name)),
        new(Plurals.VirtualMachineRestores, e => Lookup(Plurals.VirtualMachineClones, ByRestore, e.Object!.Namespace, e.Object.Name)),
        new(Plurals.PersistentVolumeClaims, e => Lookup(Plurals.VirtualMachineClones, ByRestore, e.Object!.Namespace, AnyRestore)),
    ];

    private const string ByVm = "spec.source.name|spec.target.name";
    private const string BySnapshot = "status.snapshotName|spec.source.name";
    private const string ByRestore = "status.restoreName";
    private const string AnyRestore = "\u0001any";

    public override void AddIndexes()
    {
        Store.AddIndex(Plurals.VirtualMachineClones, ByVm, c => [Obj.Str(c, "spec", "source", "name") ?? "", Obj.Str(c, "spec", "target", "name") ?? ""]);
        Store.AddIndex(Plurals.VirtualMachineClones, BySnapshot, c => [Obj.Str(c, "status", "snapshotName") ?? "", Obj.Str(c, "spec", "source", "name") ?? ""]);
        // A claim event concerns every clone that is restoring: indexed under its restore's name and under "any".
        Store.AddIndex(Plurals.VirtualMachineClones, ByRestore, c => Obj.Str(c, "status", "restoreName") is { } r ? [r, AnyRestore] : []);
    }

    public override void Reconcile(ObjectKey key)
    {
        JsonObject? clone = Store.Get(Plurals.VirtualMachineClones, key.Namespace, key.Name);
        if (clone == null || Obj.Deleting(clone)) return;
        string uid = Obj.Uid(clone);
        string? sourceKind = Obj.Str(clone, "spec", "source", "kind");
        string sourceName = Obj.Str(clone, "spec", "source", "name") ?? "";
        string targetName = Obj.Str(clone, "spec", "target", "name") ?? "";
        switch (Obj.Str(clone, "status", "phase") ?? "")
        {
            case "":
                Begin(key, clone, uid, sourceKind, sourceName);
                return;
            case "SnapshotInProgress":
                {
                    JsonObject? snap = Store.Get(Plurals.VirtualMachineSnapshots, key.Namespace, Obj.Str(clone, "status", "snapshotName") ?? "");
                    if (snap == null || Obj.Bool(snap["status"]?["readyToUse"]) != true) return;
                    // clone.go verifySnapshotReady (every event goes through logAndRecord, a Normal event, unless noted).
                    Host.Events.Record(clone, EventRecorder.Normal, "SnapshotReady", $"snapshot {Obj.Name(snap)} for clone {key.Name} is ready to use", Component);
                    SetPhase(key, "RestoreInProgress");
                    Requeue(key, TimeSpan.Zero);
                    return;
                }
            case "RestoreInProgress":
                {
                    // clone.go syncTargetVM, case RestoreInProgress: getSnapshot fails the clone once its snapshot is gone.
                    string snapName = Obj.Str(clone, "status", "snapshotName") ?? "";
                    if (Store.Get(Plurals.VirtualMachineSnapshots, key.Namespace, snapName) == null)
                    {
                        Fail(key, clone, "SnapshotDeleted", $"snapshot {snapName} does not exist anymore");
                        return;
                    }
                    Restore(key, clone, uid, targetName);
                    return;
                }
            case "CreatingTargetVM":
                {
                    JsonObject? target = Store.Get(Plurals.VirtualMachines, key.Namespace, targetName);
                    if (target == null) return;
                    Host.Events.Record(clone, EventRecorder.Normal, "TargetVMCreated", $"created target VM {targetName} for clone {key.Name}", Component); // clone.go verifyVmReady
                    Store.Change(Plurals.VirtualMachineClones, key.Namespace, key.Name, o =>
                    {
                        JsonObject status = Obj.Status(o);
                        status["phase"] = "Succeeded";
                        status["targetName"] = targetName;
                        // clone.go updateStatus never sets status.creationTime: a clone has none.
                        Obj.SetCondition(status, "Progressing", "False", "Ready");
                        Obj.SetCondition(status, "Ready", "True", "Ready");
                    });
                    Requeue(key, TimeSpan.Zero);
                    return;
                }
            case "Succeeded":
                Finish(key, clone, sourceKind, targetName);
                return;
        }
    }

    private void Begin(ObjectKey key, JsonObject clone, string uid, string? sourceKind, string sourceName)
    {
        if (sourceKind == "VirtualMachineSnapshot")
        {
            JsonObject? snapshot = Store.Get(Plurals.VirtualMachineSnapshots, key.Namespace, sourceName);
            if (snapshot == null) { Pending(key, clone, "SourceDoesNotExist", $"Source doesnt exist: VirtualMachineSnapshot {key.Namespace}/{sourceName}"); return; }
            if (Obj.Bool(snapshot["status"]?["readyToUse"]) != true) return;
            Store.Change(Plurals.VirtualMachineClones, key.Namespace, key.Name, o =>
            {
                JsonObject status = Obj.Status(o);
                status["phase"] = "RestoreInProgress";
                status["snapshotName"] = sourceName;
                Obj.SetCondition(status, "Progressing", "True", StillProcessing);
                Obj.SetCondition(status, "Ready", "False", StillProcessing);
            });
            Requeue(key, TimeSpan.Zero);
            return;
        }
        JsonObject? vm = Store.Get(Plurals.VirtualMachines, key.Namespace, sourceName);
        if (vm == null) { Pending(key, clone, "SourceDoesNotExist", $"Source doesnt exist: VirtualMachine {key.Namespace}/{sourceName}"); return; }
        Dictionary<string, bool?> statuses = Obj.Items(vm["status"]?["volumeSnapshotStatuses"]).ToDictionary(s => Obj.Str(s, "name") ?? "", s => Obj.Bool(s["enabled"]));
        // clone.go validateVolumeSnapshotStatus: every unsupported volume, joined as errors.Join does ("\n"); the
        // clone is then pending (createSnapshotFromVm) until a VM status change brings us back.
        List<string> invalid = new();
        foreach (JsonObject? volume in VmVolumes.Of(vm).Where(v => VmVolumes.ClaimName(v) != null))
        {
            string name = Obj.Str(volume, "name") ?? "";
            if (statuses.TryGetValue(name, out bool? enabled) && enabled == true) continue;
            invalid.Add(statuses.ContainsKey(name) ? $"Virtual Machine volume {name} does not support snapshots" : $"Virtual Machine volume {name} snapshot support unknown");
        }
        if (invalid.Count > 0) { Pending(key, clone, "VMVolumeSnapshotsInvalid", string.Join("\n", invalid)); return; }
        string snapName = $"tmp-snapshot-{uid}";
        if (Store.Get(Plurals.VirtualMachineSnapshots, key.Namespace, snapName) == null)
        {
            Store.Create(new JsonObject
            {
                ["apiVersion"] = "snapshot.kubevirt.io/v1beta1",
                ["kind"] = "VirtualMachineSnapshot",
                ["metadata"] = new JsonObject { ["name"] = snapName, ["namespace"] = key.Namespace, ["ownerReferences"] = new JsonArray(Obj.OwnerRef(clone)) },
                ["spec"] = new JsonObject { ["source"] = new JsonObject { ["apiGroup"] = "kubevirt.io", ["kind"] = "VirtualMachine", ["name"] = sourceName } },
            });
        }

        Host.Events.Record(clone, EventRecorder.Normal, "SnapshotCreated", $"created snapshot {snapName} for clone {key.Name}", Component);
        Store.Change(Plurals.VirtualMachineClones, key.Namespace, key.Name, o =>
        {
            JsonObject status = Obj.Status(o);
            status["phase"] = "SnapshotInProgress";
            status["snapshotName"] = snapName;
            Obj.SetCondition(status, "Progressing", "True", StillProcessing);
            Obj.SetCondition(status, "Ready", "False", StillProcessing);
        });
    }

    private void Restore(ObjectKey key, JsonObject clone, string uid, string targetName)
    {
        string? restoreName = Obj.Str(clone, "status", "restoreName");
        if (restoreName != null)
        {
            JsonObject? existing = Store.Get(Plurals.VirtualMachineRestores, key.Namespace, restoreName);
            if (Obj.Bool(existing?["status"]?["complete"]) != true) return; // kubevirt#10935: no error surfaces here
            Host.Events.Record(clone, EventRecorder.Normal, "RestoreReady", $"restore {restoreName} for clone {key.Name} is ready to use", Component); // clone.go verifyRestoreReady
            SetPhase(key, "CreatingTargetVM");
            Requeue(key, TimeSpan.Zero);
            return;
        }
        string snapName = Obj.Str(clone, "status", "snapshotName") ?? "";
        JsonObject? snap = Store.Get(Plurals.VirtualMachineSnapshots, key.Namespace, snapName);
        JsonObject? content = Store.Get(Plurals.VirtualMachineSnapshotContents, key.Namespace, Obj.Str(snap, "status", "virtualMachineSnapshotContentName") ?? "");
        if (content == null) return;
        JsonObject sourceVm = content["spec"]?["source"]?["virtualMachine"] as JsonObject ?? new JsonObject();
        HashSet<string?> backedUp = Obj.Items(content["spec"]?["volumeBackups"]).Select(b => Obj.Str(b, "volumeName")).ToHashSet();
        List<string> missing = VmVolumes.Of(sourceVm).Where(v => VmVolumes.ClaimName(v) != null && !backedUp.Contains(Obj.Str(v, "name")))
            .Select(v => $"volume {Obj.Str(v, "name")} is not backed up in snapshot {snapName}").ToList();
        if (missing.Count > 0)
        {
            // clone.go verifySnapshotContent: the errors joined; the clone fails.
            Fail(key, clone, "SnapshotContentInvalid", string.Join("\n", missing));
            return;
        }
        List<string> patches = ClonePatches.For(clone, sourceVm);
        List<string> problems = patches.SelectMany(VirtualMachineRestoreWebhook.PatchProblems).Select(p => p.Item2).ToList();
        if (problems.Count > 0)
        {
            // The restore webhook refuses the generated patches (e.g. a MAC written with ":"): retried, never surfaced.
            // clone.go createRestoreFromVm: a Warning, "failed creating restore <name> for clone <name>: <the create error>".
            Host.Events.Record(clone, EventRecorder.Warning, "RestoreCreationFailed",
                $"failed creating restore tmp-restore-{uid} for clone {key.Name}: admission webhook \"{VirtualMachineRestoreWebhook.Name}\" denied the request: {string.Join(", ", problems)}", Component);
            Requeue(key, SnapshotNames.Retry);
            return;
        }
        restoreName = $"tmp-restore-{uid}";
        JsonObject spec = new()
        {
            ["target"] = new JsonObject { ["apiGroup"] = "kubevirt.io", ["kind"] = "VirtualMachine", ["name"] = targetName },
            ["virtualMachineSnapshotName"] = snapName,
            ["targetReadinessPolicy"] = "WaitGracePeriod",
            ["patches"] = new JsonArray(patches.Select(p => (JsonNode)JsonValue.Create(p)).ToArray()),
        };
        spec["volumeRestorePolicy"] = Obj.Str(clone, "spec", "volumeNamePolicy") == "PrefixTargetName" ? "PrefixTargetName" : "RandomizeNames";
        if (Store.Get(Plurals.VirtualMachineRestores, key.Namespace, restoreName) == null)
        {
            Store.Create(new JsonObject
            {
                ["apiVersion"] = "snapshot.kubevirt.io/v1beta1",
                ["kind"] = "VirtualMachineRestore",
                ["metadata"] = new JsonObject { ["name"] = restoreName, ["namespace"] = key.Namespace, ["ownerReferences"] = new JsonArray(Obj.OwnerRef(clone)) },
                ["spec"] = spec,
            });
        }

        Host.Events.Record(clone, EventRecorder.Normal, "RestoreCreated", $"created restore {restoreName} for clone {key.Name}", Component);
        Store.Change(Plurals.VirtualMachineClones, key.Namespace, key.Name, o => Obj.Status(o)["restoreName"] = restoreName);
    }

    /// <summary>Once the restored PVCs are Bound: delete the temporary restore (and snapshot, for a VM source); later, follow the target's deletion.</summary>
    private void Finish(ObjectKey key, JsonObject clone, string? sourceKind, string targetName)
    {
        string? restoreName = Obj.Str(clone, "status", "restoreName");
        if (restoreName != null)
        {
            JsonObject? restore = Store.Get(Plurals.VirtualMachineRestores, key.Namespace, restoreName);
            List<string> claims = Obj.Items(restore?["status"]?["restores"]).Select(r => Obj.Str(r, "persistentVolumeClaim") ?? "").ToList();
            if (claims.Any(c => Obj.Str(Store.Get(Plurals.PersistentVolumeClaims, key.Namespace, c), "status", "phase") != "Bound")) return;
            Host.Events.Record(clone, EventRecorder.Normal, "PVCBound", $"all PVC for clone {key.Name} are bound", Component); // clone.go verifyPVCBound
            Store.Delete(Plurals.VirtualMachineRestores, key.Namespace, restoreName);
            string? snapName = Obj.Str(clone, "status", "snapshotName");
            // clone.go cleanupSnapshot records no event (its SnapshotDeleted event means a snapshot that vanished).
            if (sourceKind == "VirtualMachine" && snapName != null) Store.Delete(Plurals.VirtualMachineSnapshots, key.Namespace, snapName);
            Store.Change(Plurals.VirtualMachineClones, key.Namespace, key.Name, o =>
            {
                Obj.Status(o).Remove("snapshotName");
                Obj.Status(o).Remove("restoreName");
            });
            return;
        }
        if (Store.Get(Plurals.VirtualMachines, key.Namespace, targetName) == null) Store.Delete(Plurals.VirtualMachineClones, key.Namespace, key.Name);
    }

    /// <summary>clone.go updateStatus, isClonePending: a Normal event (logAndRecord), Progressing "Pending", Ready with the reason, no phase.</summary>
    private void Pending(ObjectKey key, JsonObject clone, string eventReason, string reason)
    {
        Host.Events.Record(clone, EventRecorder.Normal, eventReason, reason, Component);
        Store.Change(Plurals.VirtualMachineClones, key.Namespace, key.Name, o =>
        {
            Obj.SetCondition(Obj.Status(o), "Progressing", "False", "Pending");
            Obj.SetCondition(Obj.Status(o), "Ready", "False", reason);
        });
    }

    /// <summary>clone.go updateStatus, isCloneFailing: a Normal event (logAndRecord), phase Failed, Progressing "Failed", Ready with the reason.</summary>
    private void Fail(ObjectKey key, JsonObject clone, string eventReason, string reason)
    {
        Host.Events.Record(clone, EventRecorder.Normal, eventReason, reason, Component);
        Store.Change(Plurals.VirtualMachineClones, key.Namespace, key.Name, o =>
        {
            JsonObject status = Obj.Status(o);
            status["phase"] = "Failed";
            Obj.SetCondition(status, "Progressing", "False", "Failed");
            Obj.SetCondition(status, "Ready", "False", reason);
        });
    }

    private void SetPhase(ObjectKey key, string phase) => Store.Change(Plurals.VirtualMachineClones, key.Namespace, key.Name, o => Obj.Status(o)["phase"] = phase);
}
