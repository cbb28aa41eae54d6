using System.Text.Json.Nodes;
using VmSnapshot.Lab.Time;
using static VmSnapshot.Lab.Controllers.SnapshotNames;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// KubeVirt's VirtualMachineSnapshot loop (reference §4.1, snapshot.go updateVMSnapshot): finalizer, initial
/// status, the VM lock (status.snapshotInProgress plus the source-protection finalizer), the content, the
/// indications, copying creationTime/readyToUse/error from the content, the unlock once Succeeded, the
/// failureDeadline ("0s" = none), and deletion (Deleting, content kept only for Retain and a ready content).
/// </summary>
internal sealed class VirtualMachineSnapshotController(ControllerHost host) : Controller(host)
{
    private readonly Dictionary<string, DateTime> _firstSeen = new(StringComparer.Ordinal);

    public override string Name => "virtualmachinesnapshot";

    public override IEnumerable<ControllerWatch> Watches() =>
    [
        Own(Plurals.VirtualMachineSnapshots),
        new(Plurals.VirtualMachineSnapshotContents, e => Obj.Str(e.Object!.ToJson(), "spec", "virtualMachineSnapshotName") is { } s ? [new ObjectKey(e.Object.Namespace, s)] : []),
        new(Plurals.VirtualMachines, e => ForVm(e.Object!.Namespace, e.Object.Name)),
        new(Plurals.VirtualMachineInstances, e => ForVm(e.Object!.Namespace, e.Object.Name)),
        // A claim that binds, or goes, can let a snapshot of a VM using it lock its source (SnapshotSource): only those
        // snapshots wake, found through the VMs that name the claim, as KubeVirt's handlePVC finds its VMs.
        new(Plurals.PersistentVolumeClaims, e => Lookup(Plurals.VirtualMachines, VmVolumes.ByClaimIndex, e.Object!.Namespace, e.Object.Name)
            .SelectMany(vm => ForVm(vm.Namespace, vm.Name))),
    ];

    private const string BySource = "spec.source.name";

    public override void AddIndexes()
    {
        VmVolumes.AddClaimIndex(Store);
        Store.AddIndex(Plurals.VirtualMachineSnapshots, BySource, s => [Obj.Str(s, "spec", "source", "name") ?? ""]);
    }

    /// <summary>The snapshots of a VM that a change of the VM or its instance can move on: not yet final, or being deleted.</summary>
    private IEnumerable<ObjectKey> ForVm(string? ns, string vm) => Lookup(Plurals.VirtualMachineSnapshots, BySource, ns, vm)
        .Where(k => Store.Get(Plurals.VirtualMachineSnapshots, k.Namespace, k.Name) is { } s &&
                    (Obj.Str(s, "status", "phase") is null or "InProgress" or "Succeeded" || Obj.Deleting(s)));

    public override void Reconcile(ObjectKey key)
    {
        JsonObject? snap = Store.Get(Plurals.VirtualMachineSnapshots, key.Namespace, key.Name);
        if (snap == null) return;
        SnapshotView view = new(snap);
        string uid = view.Uid;
        if (!_firstSeen.ContainsKey(uid)) _firstSeen[uid] = LabNow;
        if (view.Deleting) { Delete(key, snap); return; }
        if (!Obj.HasFinalizer(snap, SnapshotFinalizer))
        {
            Store.Change(Plurals.VirtualMachineSnapshots, key.Namespace, key.Name, o => Obj.AddFinalizer(o, SnapshotFinalizer));
            Requeue(key, TimeSpan.Zero);
            return;
        }
        string vmName = view.SourceName;
        SnapshotSource source = new(Host, key.Namespace, vmName);
        JsonObject? vm = source.Vm;
        if (!view.HasStatus) { Initialize(key, vm); return; }

        switch (view.Phase)
        {
            case "Failed":
                return;
            case "Succeeded":
                SyncSucceeded(key, snap, source);
                return;
        }

        TimeSpan deadline = FailureDeadline(snap);
        if (deadline > TimeSpan.Zero)
        {
            DateTime due = _firstSeen[uid] + deadline;
            if (LabNow >= due) { FailDeadline(key, snap, source); return; }
            Requeue(key, due - LabNow);
        }
        if (vm == null)
        {
            Store.Change(Plurals.VirtualMachineSnapshots, key.Namespace, key.Name, o => Obj.SetCondition(Obj.Status(o), "Progressing", "False", SourceDoesNotExist));
            return; // a VM event with this name brings it back
        }
        if (!source.LockedBy(key.Name))
        {
            string? blocker = source.LockBlocker(vm, key.Name);
            if (blocker != null)
            {
                Store.Change(Plurals.VirtualMachineSnapshots, key.Namespace, key.Name, o =>
                {
                    Obj.Status(o)["sourceUID"] = Obj.Uid(vm);
                    Obj.SetCondition(Obj.Status(o), "Progressing", "False", SourceNotLocked + blocker);
                });
                Requeue(key, Retry);
                return;
            }
            vm = source.Lock(key.Name);
        }

        string contentName = Content(uid);
        JsonObject? content = Store.Get(Plurals.VirtualMachineSnapshotContents, key.Namespace, contentName);
        if (content == null)
        {
            Store.Change(Plurals.VirtualMachineSnapshots, key.Namespace, key.Name, o =>
            {
                Obj.Status(o)["sourceUID"] = Obj.Uid(vm);
                Obj.SetCondition(Obj.Status(o), "Progressing", "True", SourceLocked);
            });
            content = SnapshotContentBuilder.Create(Host, snap, vm);
            Host.Events.Record(snap, EventRecorder.Normal, "SuccessfulVirtualMachineSnapshotContentCreate", $"Successfully created VirtualMachineSnapshotContent {contentName}", Component);
        }
        UpdateInProgress(key, vm, content);
    }

    private void Initialize(ObjectKey key, JsonObject? vm)
    {
        Store.Change(Plurals.VirtualMachineSnapshots, key.Namespace, key.Name, o =>
        {
            JsonObject status = new() { ["readyToUse"] = false, ["phase"] = "InProgress" };
            if (vm != null) status["sourceUID"] = Obj.Uid(vm);
            Obj.SetCondition(status, "Progressing", "False", vm == null ? SourceDoesNotExist : SourceNotLocked);
            Obj.SetCondition(status, "Ready", "False", NotReady);
            o["status"] = status;
        });
        Requeue(key, TimeSpan.Zero);
    }

    private void UpdateInProgress(ObjectKey key, JsonObject vm, JsonObject content)
    {
        JsonObject? vmi = Store.Get(Plurals.VirtualMachineInstances, key.Namespace, Obj.Name(vm));
        JsonObject? contentStatus = content["status"] as JsonObject;
        string? creationTime = Obj.Str(contentStatus, "creationTime");
        bool succeeded = false;
        Store.Change(Plurals.VirtualMachineSnapshots, key.Namespace, key.Name, o =>
        {
            JsonObject status = Obj.Status(o);
            status["sourceUID"] = Obj.Uid(vm);
            status["virtualMachineSnapshotContentName"] = Obj.Name(content);
            SetIndications(status, vmi, Obj.Str(contentStatus, "error", "message"), content);
            // The pass that makes it Succeeded never also makes it ready: clients see the two steps apart.
            const bool ready = false; // copied from the content once Succeeded (SyncSucceeded, the next pass)
            status["readyToUse"] = ready;
            if (contentStatus?["error"] is JsonObject error) status["error"] = error.DeepClone(); else status.Remove("error");
            if (creationTime != null)
            {
                succeeded = true;
                status["phase"] = "Succeeded";
                status["creationTime"] = creationTime;
                Obj.SetCondition(status, "Progressing", "False", OperationComplete);
                status["snapshotVolumes"] = SnapshotVolumes(content);
            }
            else if (contentStatus?["error"] != null)
            {
                Obj.SetCondition(status, "Progressing", "False", InErrorState);
            }
            else
            {
                Obj.SetCondition(status, "Progressing", "True", SourceLocked);
            }

            Obj.SetCondition(status, "Ready", ready ? "True" : "False", ready ? Ready : NotReady);
        });
        if (succeeded) Requeue(key, TimeSpan.Zero); // the lock goes in the next pass, possibly before readyToUse
    }

    /// <summary>Indications (sorted) and sourceIndications with their messages, reference §4.1 item 8; offline: none.</summary>
    private void SetIndications(JsonObject status, JsonObject? vmi, string? error, JsonObject content)
    {
        KubeVirtBehaviour kv = Host.Settings.KubeVirt;
        HashSet<string> previous = (status["indications"] as JsonArray ?? []).Select(x => x?.ToString() ?? "").ToHashSet();
        List<string> list = new();
        if (vmi != null && !Obj.Deleting(vmi) && !RunStrategy.IsFinal(Obj.Str(vmi, "status", "phase")))
        {
            list.Add("Online");
            if (Obj.HasCondition(vmi, "Paused", "True") && kv.HasSourceIndications)
            {
                list.Add("Paused");
            }
            else if (Obj.HasCondition(vmi, "AgentConnected"))
            {
                list.Add("GuestAgent");
                // Sticky once seen: the VSS error is cleared when the retried thaw succeeds (inference, see README).
                if (kv.HasQuiesceTimeout && ((error?.Contains("fsfreeze is limited") ?? false) || previous.Contains("QuiesceTimeout"))) list.Add("QuiesceTimeout");
                if (kv.HasQuiesceFailed && ((error?.Contains("Failed freezing vm") ?? false) || previous.Contains("QuiesceFailed"))) list.Add("QuiesceFailed");
            }
            else
            {
                list.Add("NoGuestAgent");
            }
        }
        if (kv.HasPartialSnapshot && content["status"]?["creationTime"] != null && HasExcludedSnapshottable(content)) list.Add("PartialSnapshot");
        list.Sort(StringComparer.Ordinal);
        if (list.Count == 0)
        {
            status.Remove("indications");
            status.Remove("sourceIndications");
            return;
        }
        status["indications"] = new JsonArray(list.Select(i => (JsonNode)JsonValue.Create(i)).ToArray());
        if (kv.HasSourceIndications)
            status["sourceIndications"] = new JsonArray(list.Select(i => (JsonNode)new JsonObject { ["indication"] = i, ["message"] = IndicationMessage(i) }).ToArray());
    }

    private static IEnumerable<JsonObject> ContentVolumes(JsonObject content) => Obj.Items(content["spec"]?["source"]?["virtualMachine"]?["spec"]?["template"]?["spec"]?["volumes"]);

    private static bool HasExcludedSnapshottable(JsonObject content)
    {
        HashSet<string?> included = Obj.Items(content["spec"]?["volumeBackups"]).Select(b => Obj.Str(b, "volumeName")).ToHashSet();
        return ContentVolumes(content).Any(v => VmVolumes.ClaimName(v) != null && !included.Contains(Obj.Str(v, "name")));
    }

    private static JsonObject SnapshotVolumes(JsonObject content)
    {
        List<string> included = Obj.Items(content["spec"]?["volumeBackups"]).Select(b => Obj.Str(b, "volumeName") ?? "").ToList();
        List<string> excluded = ContentVolumes(content).Select(v => Obj.Str(v, "name") ?? "").Where(n => !included.Contains(n)).ToList();
        JsonObject result = new();
        if (included.Count > 0) result["includedVolumes"] = new JsonArray(included.Select(n => (JsonNode)JsonValue.Create(n)).ToArray());
        if (excluded.Count > 0) result["excludedVolumes"] = new JsonArray(excluded.Select(n => (JsonNode)JsonValue.Create(n)).ToArray());
        return result;
    }

    /// <summary>After Succeeded: release the lock, and keep readyToUse/error in step with the content (VolumeSnapshots may go missing later).</summary>
    private void SyncSucceeded(ObjectKey key, JsonObject snap, SnapshotSource source)
    {
        source.Unlock(key.Name);
        JsonObject? content = Store.Get(Plurals.VirtualMachineSnapshotContents, key.Namespace, new SnapshotView(snap).ContentName ?? "");
        if (content?["status"] is not JsonObject cs) return;
        Store.Change(Plurals.VirtualMachineSnapshots, key.Namespace, key.Name, o =>
        {
            JsonObject status = Obj.Status(o);
            bool ready = Obj.Bool(cs["readyToUse"]) == true;
            status["readyToUse"] = ready;
            if (cs["error"] is JsonObject error) status["error"] = error.DeepClone(); else status.Remove("error");
            Obj.SetCondition(status, "Ready", ready ? "True" : "False", ready ? Ready : NotReady);
        });
    }

    /// <summary>
    /// KubeVirt's deadline pass (snapshot.go updateVMSnapshot + updateSnapshotStatus): the unready content is deleted,
    /// the snapshot still copies the content's status (read before the deletion lands), so status.error is the
    /// content's own error (a freeze error, say) or nothing: the deadline itself is recorded only as the Failure
    /// condition "snapshot deadline exceeded", never in status.error. An error present turns Progressing into
    /// "In error state" after "Operation failed", as the end of updateSnapshotStatus does.
    /// </summary>
    private void FailDeadline(ObjectKey key, JsonObject snap, SnapshotSource source)
    {
        JsonObject? content = Store.Get(Plurals.VirtualMachineSnapshotContents, key.Namespace, Content(Obj.Uid(snap)));
        JsonObject? contentStatus = content?["status"] as JsonObject;
        if (content != null && Obj.Bool(contentStatus?["readyToUse"]) != true) Store.Delete(Plurals.VirtualMachineSnapshotContents, key.Namespace, Obj.Name(content));
        source.UnfreezeIfLockedBy(key.Name);
        source.Unlock(key.Name);
        Store.Change(Plurals.VirtualMachineSnapshots, key.Namespace, key.Name, o =>
        {
            JsonObject status = Obj.Status(o);
            if (contentStatus != null)
            {
                status["virtualMachineSnapshotContentName"] = Obj.Name(content!);
                if (contentStatus["error"] is JsonObject error) status["error"] = error.DeepClone(); else status.Remove("error");
                // Copied like the rest: a content that got its creationTime in the pass the deadline passed leaves it on a Failed snapshot.
                if (contentStatus["creationTime"] is { } created) status["creationTime"] = created.DeepClone(); else status.Remove("creationTime");
            }
            status["phase"] = "Failed";
            status["readyToUse"] = false;
            Obj.SetCondition(status, "Failure", "True", DeadlineExceeded);
            Obj.SetCondition(status, "Progressing", "False", OperationFailed);
            Obj.SetCondition(status, "Ready", "False", NotReady);
            if (status["error"] != null) Obj.SetCondition(status, "Progressing", "False", InErrorState);
        });
    }

    private void Delete(ObjectKey key, JsonObject snap)
    {
        SnapshotView view = new(snap);
        string? phase = view.Phase;
        if (phase is not ("Succeeded" or "Failed" or "Deleting") && snap["status"] != null)
        {
            Store.Change(Plurals.VirtualMachineSnapshots, key.Namespace, key.Name, o =>
            {
                Obj.Status(o)["phase"] = "Deleting";
                Obj.SetCondition(Obj.Status(o), "Progressing", "False", Deleting);
            });
        }

        string contentName = view.ContentName ?? Content(view.Uid);
        JsonObject? content = Store.Get(Plurals.VirtualMachineSnapshotContents, key.Namespace, contentName);
        bool retain = view.Retain && Obj.Bool(content?["status"]?["readyToUse"]) == true;
        SnapshotSource source = new(Host, key.Namespace, view.SourceName);
        source.UnfreezeIfLockedBy(key.Name);
        source.Unlock(key.Name);
        if (content != null && !retain)
        {
            if (!Obj.Deleting(content)) Store.Delete(Plurals.VirtualMachineSnapshotContents, key.Namespace, contentName);
            return; // the content's disappearance brings us back
        }
        Store.Change(Plurals.VirtualMachineSnapshots, key.Namespace, key.Name, o => Obj.RemoveFinalizer(o, SnapshotFinalizer));
        _firstSeen.Remove(Obj.Uid(snap));
    }

    /// <summary>spec.failureDeadline, default 5m; "0s" disables it.</summary>
    public static TimeSpan FailureDeadline(JsonObject snap) => GoDuration.Parse(Obj.Str(snap, "spec", "failureDeadline"), DefaultFailureDeadline);
}
