using System.Text.Json.Nodes;
using VmSnapshot.Lab.Controllers.Subresources;
using static VmSnapshot.Lab.Controllers.RestoreNames;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// KubeVirt's VirtualMachineRestore loop (reference §4.2, restore.go updateVMRestore): initialise, wait for the
/// target to have no VMI per targetReadinessPolicy (WaitGracePeriod, WaitEventually, StopTarget, FailImmediate),
/// check the snapshot and content, refuse an existing different target, take the restoreInProgress lock, create the
/// restored PVCs, create or update the target VM, release the lock and complete with exactly two conditions.
/// </summary>
internal sealed class VirtualMachineRestoreController(ControllerHost host) : Controller(host)
{
    private const string Component = "virt-controller";
    private readonly Dictionary<string, DateTime> _firstSeen = new(StringComparer.Ordinal);

    public override string Name => "virtualmachinerestore";

    public override IEnumerable<ControllerWatch> Watches() =>
    [
        Own(Plurals.VirtualMachineRestores),
        new(Plurals.VirtualMachines, e => Lookup(Plurals.VirtualMachineRestores, ByTarget, e.Object!.Namespace, e.Object.Name)),
        new(Plurals.VirtualMachineInstances, e => Lookup(Plurals.VirtualMachineRestores, ByTarget, e.Object!.Namespace, e.Object.Name)),
        new(Plurals.VirtualMachineSnapshots, e => Lookup(Plurals.VirtualMachineRestores, BySnapshot, e.Object!.Namespace, e.Object.Name)),
        new(Plurals.VirtualMachineSnapshotContents, e =>
            Lookup(Plurals.VirtualMachineRestores, BySnapshot, e.Object!.Namespace, Obj.Str(e.Object.ToJson(), "spec", "virtualMachineSnapshotName"))),
        new(Plurals.PersistentVolumeClaims, e => Lookup(Plurals.VirtualMachineRestores, ByComplete, e.Object!.Namespace, "false")),
    ];

    private const string ByTarget = "spec.target.name";
    private const string BySnapshot = "spec.virtualMachineSnapshotName";
    private const string ByComplete = "status.complete";

    public override void AddIndexes()
    {
        Store.AddIndex(Plurals.VirtualMachineRestores, ByTarget, r => [Obj.Str(r, "spec", "target", "name") ?? ""]);
        Store.AddIndex(Plurals.VirtualMachineRestores, BySnapshot, r => [Obj.Str(r, "spec", "virtualMachineSnapshotName") ?? ""]);
        Store.AddIndex(Plurals.VirtualMachineRestores, ByComplete, r => [Obj.Bool(r["status"]?["complete"]) == true ? "true" : "false"]);
    }

    public override void Reconcile(ObjectKey key)
    {
        JsonObject? restore = Store.Get(Plurals.VirtualMachineRestores, key.Namespace, key.Name);
        if (restore == null) return;
        string uid = Obj.Uid(restore);
        if (!_firstSeen.ContainsKey(uid)) _firstSeen[uid] = LabNow;
        RestoreView view = new(restore);
        string targetName = view.TargetName;
        JsonObject? target = Store.Get(Plurals.VirtualMachines, key.Namespace, targetName);
        if (Obj.Deleting(restore)) { Delete(key, restore, target); return; }
        // restore.go updateVMRestore: the status is initialised first, in a pass of its own.
        if (restore["status"] == null)
        {
            SetConditions(key, "True", "False", Initializing, init: true);
            Requeue(key, TimeSpan.Zero);
            return;
        }
        if (view.Complete || Obj.HasCondition(restore, "Failure", "True")) return;
        restore = OwnAndProtect(key, restore, target);

        // 2. The target must have no VMI.
        JsonObject? vmi = Store.Get(Plurals.VirtualMachineInstances, key.Namespace, targetName);
        if (vmi != null && Obj.Str(target, "status", "restoreInProgress") != key.Name)
        {
            WaitForTarget(key, restore, target!, vmi, uid);
            return;
        }

        // 3. The snapshot and its content must be usable; otherwise an error and a retry (not a failure).
        string snapName = view.SnapshotName;
        JsonObject? snap = Store.Get(Plurals.VirtualMachineSnapshots, key.Namespace, snapName);
        string contentName = Obj.Str(snap, "status", "virtualMachineSnapshotContentName") ?? "";
        JsonObject? content = snap == null ? null : Store.Get(Plurals.VirtualMachineSnapshotContents, key.Namespace, contentName);
        string? problem = snap == null ? $"VMSnapshot {key.Namespace}/{snapName} does not exist"
            : Obj.Str(snap, "status", "phase") == "Failed" ? $"VMSnapshot {key.Namespace}/{snapName} failed and is invalid to use"
            : Obj.Bool(snap["status"]?["readyToUse"]) != true ? $"VMSnapshot {key.Namespace}/{snapName} not ready"
            : content == null ? $"VMSnapshotContent {key.Namespace}/{contentName} does not exist"
            : Obj.Bool(content["status"]?["readyToUse"]) != true ? $"VMSnapshotContent {key.Namespace}/{contentName} not ready"
            : null;
        // 4. A different VM of the target's name may not be overwritten.
        if (problem == null && target != null && Obj.Annotation(target, LastRestoreUidAnnotation) != $"{key.Name}-{uid}"
            && Obj.Uid(target) != Obj.Str(snap, "status", "sourceUID"))
        {
            problem = TargetExists;
        }
        // 5. The lock.
        string? holder = Obj.Str(target, "status", "restoreInProgress");
        if (problem == null && holder != null && holder != key.Name) problem = $"vm restore {holder} in progress";
        if (problem != null) { Error(key, restore, problem); return; }
        if (target != null && holder == null)
            Store.Change(Plurals.VirtualMachines, key.Namespace, targetName, o => Obj.Status(o)["restoreInProgress"] = key.Name);

        // 6–7. The restored PVCs.
        string sourceVmName = Obj.Str(content, "spec", "source", "virtualMachine", "metadata", "name") ?? "";
        Dictionary<string, string> claims = new(StringComparer.Ordinal);
        JsonArray restores = new();
        bool allBound = true;
        foreach (JsonObject backup in Obj.Items(content!["spec"]?["volumeBackups"]))
        {
            string volumeName = Obj.Str(backup, "volumeName") ?? "";
            string original = Obj.Str(backup, "persistentVolumeClaim", "metadata", "name") ?? "";
            string claim = ClaimName(restore, volumeName, original);
            claims[volumeName] = claim;
            restores.Add(new JsonObject { ["volumeName"] = volumeName, ["persistentVolumeClaim"] = claim, ["volumeSnapshotName"] = Obj.Str(backup, "volumeSnapshotName") });
            JsonObject? pvc = Store.Get(Plurals.PersistentVolumeClaims, key.Namespace, claim);
            if (pvc != null && Obj.Annotation(pvc, RestoreNameAnnotation) != key.Name)
            {
                // InPlace: the original claim goes first (the VM has no VMI, so nothing uses it); its DataVolume is
                // marked pre-populated so CDI does not import it again.
                if (!Obj.Deleting(pvc)) Store.Delete(Plurals.PersistentVolumeClaims, key.Namespace, claim);
                if (Store.Get(Plurals.DataVolumes, key.Namespace, claim) != null)
                    Store.Change(Plurals.DataVolumes, key.Namespace, claim, o => Obj.Child(Obj.Meta(o), "annotations")[RestoredDataVolumes.PrePopulated] = "true");
                allBound = false;
                continue;
            }
            if (pvc == null)
            {
                JsonObject? vs = Store.Get(Plurals.VolumeSnapshots, key.Namespace, Obj.Str(backup, "volumeSnapshotName") ?? "");
                JsonObject definition = RestoredPvcBuilder.Build(restore, backup, claim, vs, sourceVmName);
                JsonObject? template = RestoredDataVolumes.TemplateOf(content, volumeName);
                if (template != null)
                {
                    Obj.Child(Obj.Meta(definition), "annotations")[RestoredDataVolumes.PopulatedFor] = claim;
                    if (Store.Get(Plurals.DataVolumes, key.Namespace, claim) == null) Store.Create(RestoredDataVolumes.Build(restore, template, claim));
                }
                Store.Create(definition);
                allBound = false;
                continue;
            }
            string? phase = Obj.Str(pvc, "status", "phase");
            if (phase is not (null or "Pending" or "Bound")) { Error(key, restore, $"PVC {key.Namespace}/{claim} in status \"{phase}\""); return; }
            if (phase != "Bound") allBound = false;
        }
        Store.Change(Plurals.VirtualMachineRestores, key.Namespace, key.Name, o => Obj.Status(o)["restores"] = restores.DeepClone());
        if (!allBound)
        {
            SetConditions(key, "True", "False", CreatingPvcs, readyReason: WaitingForPvcs);
            return; // PVC events bring us back
        }

        // 8. The target VM.
        SetConditions(key, "True", "False", UpdatingTarget, readyReason: WaitingForTarget);
        JsonObject spec = RestoredVmBuilder.Spec(content, claims);
        RestoredDataVolumes.Retarget(spec, content, claims);
        List<string> obsolete = RestoredDataVolumes.Obsolete(target, spec);
        if (target == null)
        {
            JsonObject created;
            try { created = RestoredVmBuilder.NewTarget(restore, content, spec); }
            catch (Json.PatchException ex) { Error(key, restore, ex.Message); return; }
            target = Store.Create(created);
        }
        else
        {
            Store.Change(Plurals.VirtualMachines, key.Namespace, targetName, o =>
            {
                JsonObject? current = o["spec"] as JsonObject;
                if (current?["running"] != null) spec["running"] = false;
                else spec["runStrategy"] = Obj.Clone(current?["runStrategy"]) ?? RunStrategy.Halted;
                if (spec["running"] != null && spec["runStrategy"] != null) spec.Remove("runStrategy");
                o["spec"] = spec;
                Obj.Child(Obj.Meta(o), "annotations")[LastRestoreUidAnnotation] = $"{key.Name}-{uid}";
            });
            target = Store.Get(Plurals.VirtualMachines, key.Namespace, targetName)!;
        }
        OwnClaims(key, restore, target, claims.Values);
        foreach (string dv in obsolete) Store.Delete(Plurals.DataVolumes, key.Namespace, dv);

        // 9. Done: release the lock, then complete.
        Store.Change(Plurals.VirtualMachines, key.Namespace, targetName, o =>
        {
            if (Obj.Str(o, "status", "restoreInProgress") == key.Name) Obj.Status(o).Remove("restoreInProgress");
        });
        Store.Change(Plurals.VirtualMachineRestores, key.Namespace, key.Name, o =>
        {
            // A target created by this pass: KubeVirt owns the restore on its next pass, before it completes.
            if (o["metadata"]?["ownerReferences"] is not JsonArray { Count: > 0 }) Obj.Meta(o)["ownerReferences"] = new JsonArray(Obj.OwnerRef(target, controller: true, blockOwnerDeletion: true));
            JsonObject status = Obj.Status(o);
            status["complete"] = true;
            if (obsolete.Count > 0) status["deletedDataVolumes"] = new JsonArray(obsolete.Select(n => (JsonNode)JsonValue.Create(n)).ToArray());
            status["restoreTime"] = Obj.Timestamp();
            status["conditions"] = new JsonArray();
            Obj.SetCondition(status, "Progressing", "False", Complete);
            Obj.SetCondition(status, "Ready", "True", Complete);
        });
        JsonObject done = Store.Get(Plurals.VirtualMachineRestores, key.Namespace, key.Name)!;
        Host.Events.Record(done, EventRecorder.Normal, "VirtualMachineRestoreComplete", $"Successfully completed VirtualMachineRestore {key.Name}", Component);
        _firstSeen.Remove(uid);
    }

    /// <summary>
    /// restore.go updateVMRestore, on every pass of a restore still in progress and before the target's readiness is
    /// checked (so also when it then waits, fails at once or its grace period expires): with no ownerReferences yet,
    /// vmRestoreTarget.Own makes an existing target VM the restore's controller owner (blockOwnerDeletion true; a
    /// missing target owns nothing), and the finalizer is added in the same metadata update.
    /// </summary>
    private JsonObject OwnAndProtect(ObjectKey key, JsonObject restore, JsonObject? target)
    {
        bool own = target != null && restore["metadata"]?["ownerReferences"] is not JsonArray { Count: > 0 };
        if (!own && Obj.HasFinalizer(restore, Finalizer)) return restore;
        Store.Change(Plurals.VirtualMachineRestores, key.Namespace, key.Name, o =>
        {
            if (own) Obj.Meta(o)["ownerReferences"] = new JsonArray(Obj.OwnerRef(target!, controller: true, blockOwnerDeletion: true));
            Obj.AddFinalizer(o, Finalizer);
        });
        return Store.Get(Plurals.VirtualMachineRestores, key.Namespace, key.Name)!;
    }

    private void WaitForTarget(ObjectKey key, JsonObject restore, JsonObject target, JsonObject vmi, string uid)
    {
        switch (Obj.Str(restore, "spec", "targetReadinessPolicy") ?? "WaitGracePeriod")
        {
            case "FailImmediate":
                Fail(key, FailImmediate);
                return;
            case "StopTarget":
                // restore.go stopTarget: a Warning, like the other not-ready events.
                Host.Events.Record(restore, EventRecorder.Warning, "RestoreTargetNotReady", StopTarget, Component);
                SetConditions(key, "False", "False", StopTarget);
                if (!Obj.Deleting(vmi))
                {
                    try { new LifecycleSubresources(Host).Stop(key.Namespace!, Obj.Name(target), new JsonObject { ["gracePeriod"] = 0 }, dryRun: false); }
                    catch (Api.ApiException) { Store.Delete(Plurals.VirtualMachineInstances, key.Namespace, Obj.Name(vmi)); }
                }
                return;
            case "WaitEventually":
                Host.Events.Record(restore, EventRecorder.Warning, "RestoreTargetNotReady", "Restore target VMI still exists, please stop the restore target to proceed with restore", Component);
                SetConditions(key, "False", "False", WaitEventually);
                return;
            default:
                DateTime due = _firstSeen[uid] + GracePeriod;
                if (LabNow >= due) { Fail(key, GraceExpired); return; }
                Host.Events.Record(restore, EventRecorder.Warning, "RestoreTargetNotReady", "Restore target VMI still exists, please stop the restore target to proceed with restore", Component);
                SetConditions(key, "False", "False", WaitGrace);
                Requeue(key, due - LabNow);
                return;
        }
    }

    /// <summary>Restored claims belong to the target VM (unless volumeOwnershipPolicy None); DataVolume-backed ones to their DataVolume, which belongs to the VM.</summary>
    private void OwnClaims(ObjectKey key, JsonObject restore, JsonObject target, IEnumerable<string> claims)
    {
        foreach (string claim in claims)
        {
            JsonObject? dv = Store.Get(Plurals.DataVolumes, key.Namespace, claim);
            if (dv != null)
            {
                Store.Change(Plurals.DataVolumes, key.Namespace, claim, o => Obj.Meta(o)["ownerReferences"] = new JsonArray(Obj.OwnerRef(target, controller: true, blockOwnerDeletion: true)));
                Store.Change(Plurals.PersistentVolumeClaims, key.Namespace, claim, o => Obj.Meta(o)["ownerReferences"] = new JsonArray(Obj.OwnerRef(dv, controller: true, blockOwnerDeletion: true)));
            }
            else if (Obj.Str(restore, "spec", "volumeOwnershipPolicy") != "None")
            {
                Store.Change(Plurals.PersistentVolumeClaims, key.Namespace, claim, o => Obj.Meta(o)["ownerReferences"] = new JsonArray(Obj.OwnerRef(target, controller: true, blockOwnerDeletion: true)));
            }
        }
    }

    private void Error(ObjectKey key, JsonObject restore, string message)
    {
        SetConditions(key, "False", "False", message);
        Host.Events.Record(restore, EventRecorder.Warning, "VirtualMachineRestoreError", $"VirtualMachineRestore encountered error {message}", Component);
        Requeue(key, SnapshotNames.Retry);
    }

    private void Fail(ObjectKey key, string reason)
    {
        Store.Change(Plurals.VirtualMachineRestores, key.Namespace, key.Name, o =>
        {
            JsonObject status = Obj.Status(o);
            Obj.SetCondition(status, "Progressing", "False", reason);
            Obj.SetCondition(status, "Ready", "False", reason);
            Obj.SetCondition(status, "Failure", "True", reason);
        });
        JsonObject failed = Store.Get(Plurals.VirtualMachineRestores, key.Namespace, key.Name)!;
        // restore.go doUpdateErrorWithFailure: reason restoreFailedEvent ("Operation failed"), the message names the error.
        Host.Events.Record(failed, EventRecorder.Warning, "Operation failed", $"VirtualMachineRestore failed {reason}", Component);
    }

    private void SetConditions(ObjectKey key, string progressing, string ready, string reason, bool init = false, string? readyReason = null)
        => Store.Change(Plurals.VirtualMachineRestores, key.Namespace, key.Name, o =>
        {
            JsonObject status = Obj.Status(o);
            if (init) status["complete"] = false;
            Obj.SetCondition(status, "Progressing", progressing, reason);
            Obj.SetCondition(status, "Ready", ready, readyReason ?? reason);
        });

    /// <summary>
    /// restore.go handleVMRestoreDeletion: with the finalizer, release the target's lock if this restore holds it
    /// (UpdateDoneRestore), show "VM restore is deleting" in a pass of its own, and let the finalizer go in the next.
    /// </summary>
    private void Delete(ObjectKey key, JsonObject restore, JsonObject? target)
    {
        if (!Obj.HasFinalizer(restore, Finalizer)) { _firstSeen.Remove(Obj.Uid(restore)); return; }
        if (target != null && Obj.Str(target, "status", "restoreInProgress") == key.Name)
            Store.Change(Plurals.VirtualMachines, key.Namespace, Obj.Name(target), o => Obj.Status(o).Remove("restoreInProgress"));
        if (Condition(restore, "Progressing") != ("False", Deleting) || Condition(restore, "Ready") != ("False", Deleting))
        {
            SetConditions(key, "False", "False", Deleting);
            Requeue(key, TimeSpan.Zero);
            return;
        }
        Store.Change(Plurals.VirtualMachineRestores, key.Namespace, key.Name, o => Obj.RemoveFinalizer(o, Finalizer));
        _firstSeen.Remove(Obj.Uid(restore));
    }

    private static (string?, string?) Condition(JsonObject restore, string type)
        => Obj.Items(restore["status"]?["conditions"]).Where(c => Obj.Str(c, "type") == type).Select(c => (Obj.Str(c, "status"), Obj.Str(c, "reason"))).FirstOrDefault();
}
