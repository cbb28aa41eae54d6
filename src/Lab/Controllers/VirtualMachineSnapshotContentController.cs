using System.Text.Json.Nodes;
using VmSnapshot.Lab.GuestAgent;
using static VmSnapshot.Lab.Controllers.SnapshotNames;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// KubeVirt's content loop (reference §4.1 items 4–6 and 9, snapshot.go updateVMSnapshotContent): freeze the
/// guest once before the first VolumeSnapshot (unfreezeTimeout = failureDeadline), create the VolumeSnapshots,
/// mirror them in status.volumeSnapshotStatus, and when every one is cut set creationTime and thaw; a thaw that
/// hits the Windows VSS limit is an error and retried. readyToUse follows the VolumeSnapshots; missing ones and
/// CSI errors become status.error with the controller's messages.
/// </summary>
internal sealed class VirtualMachineSnapshotContentController(ControllerHost host) : Controller(host)
{
    public override string Name => "virtualmachinesnapshotcontent";

    public override IEnumerable<ControllerWatch> Watches() =>
    [
        Own(Plurals.VirtualMachineSnapshotContents),
        new(Plurals.VolumeSnapshots, e => e.Object!.ToJson()["metadata"]?["ownerReferences"] is JsonArray refs
            ? Obj.Items(refs).Where(r => Obj.Str(r, "kind") == "VirtualMachineSnapshotContent").Select(r => new ObjectKey(e.Object.Namespace, Obj.Str(r, "name") ?? ""))
            : []),
        new(Plurals.VirtualMachineSnapshots, e => [new ObjectKey(e.Object!.Namespace, Content(e.Object.Uid))]),
    ];

    public override void Reconcile(ObjectKey key)
    {
        JsonObject? content = Store.Get(Plurals.VirtualMachineSnapshotContents, key.Namespace, key.Name);
        if (content == null) return;
        if (Obj.Deleting(content))
        {
            // The VolumeSnapshots follow through their ownerReference.
            Store.Change(Plurals.VirtualMachineSnapshotContents, key.Namespace, key.Name, o => Obj.RemoveFinalizer(o, ContentFinalizer));
            return;
        }
        if (!Obj.HasFinalizer(content, ContentFinalizer))
            Store.Change(Plurals.VirtualMachineSnapshotContents, key.Namespace, key.Name, o => Obj.AddFinalizer(o, ContentFinalizer));

        string snapName = Obj.Str(content, "spec", "virtualMachineSnapshotName") ?? "";
        JsonObject? snap = Store.Get(Plurals.VirtualMachineSnapshots, key.Namespace, snapName);
        string vmName = Obj.Str(content, "spec", "source", "virtualMachine", "metadata", "name") ?? "";
        HashSet<string?> known = Obj.Items(content["status"]?["volumeSnapshotStatus"]).Select(s => Obj.Str(s, "volumeSnapshotName")).ToHashSet();
        JsonArray statuses = new();
        List<string> missing = new();
        List<string> skipped = new();
        bool frozen = false;

        foreach (JsonObject backup in Obj.Items(content["spec"]?["volumeBackups"]))
        {
            string vsName = Obj.Str(backup, "volumeSnapshotName") ?? "";
            JsonObject? vs = Store.Get(Plurals.VolumeSnapshots, key.Namespace, vsName);
            if (vs == null)
            {
                if (known.Contains(vsName)) { missing.Add(vsName); continue; }
                if (snap == null || Obj.Deleting(snap)) { skipped.Add(vsName); continue; }
                if (Obj.Str(snap, "status", "phase") != "InProgress") { missing.Add(vsName); continue; }
                if (!frozen)
                {
                    AgentResult result = Freeze(snap, vmName);
                    if (result is AgentResult.Pending p) { Requeue(key, p.ReadyAt - LabNow); return; }
                    if (result is AgentResult.Failed f) { SetError(key, f.Error, clearCreation: false); ShowToSnapshot(key, snapName); Requeue(key, Retry); return; }
                    frozen = true;
                }
                string claim = Obj.Str(backup, "persistentVolumeClaim", "metadata", "name") ?? "";
                string? reject = Host.Storage.For(Obj.Str(backup, "persistentVolumeClaim", "spec", "storageClassName")).RejectVolumeSnapshots;
                if (reject != null)
                {
                    // Like a webhook denying the create: an error returned to the workqueue, status untouched (§4.1 item 9).
                    Requeue(key, Retry);
                    return;
                }
                vs = CreateVolumeSnapshot(content, vsName, claim, vmName, key.Namespace);
            }
            JsonObject entry = new() { ["volumeSnapshotName"] = vsName };
            if (vs["status"]?["creationTime"] != null) entry["creationTime"] = Obj.Clone(vs["status"]!["creationTime"]);
            if (vs["status"]?["readyToUse"] != null) entry["readyToUse"] = Obj.Clone(vs["status"]!["readyToUse"]);
            if (vs["status"]?["error"] != null) entry["error"] = Obj.Clone(vs["status"]!["error"]);
            statuses.Add(entry);
        }

        if (missing.Count > 0)
        {
            foreach (string m in missing)
                Host.Events.Record(content, EventRecorder.Warning, "VolumeSnapshotMissing", $"VolumeSnapshot {m} no longer exists", Component);
            WriteStatus(key, statuses, ready: false, error: $"VolumeSnapshots ({string.Join(",", missing)}) missing", creation: Obj.Str(content, "status", "creationTime"));
            return;
        }
        if (skipped.Count > 0)
        {
            WriteStatus(key, statuses, ready: false, error: $"VolumeSnapshots ({string.Join(",", skipped)}) skipped because vm snapshot is deleted", creation: Obj.Str(content, "status", "creationTime"));
            return;
        }

        List<JsonObject> entries = Obj.Items(statuses).ToList();
        bool cut = entries.All(e => e["creationTime"] != null);
        bool ready = entries.All(e => Obj.Bool(e["readyToUse"]) == true);
        string? creation = Obj.Str(content, "status", "creationTime");
        bool firstCut = cut && creation == null;
        if (firstCut)
        {
            AgentResult thaw = Thaw(snap, vmName);
            if (thaw is AgentResult.Failed f)
            {
                // The Windows VSS limit (VSSFreezeLimitReached): no creationTime yet, the error, and a retry in 5 s.
                WriteStatus(key, statuses, ready: false, error: f.Error, creation: null);
                ShowToSnapshot(key, snapName);
                Requeue(key, Retry);
                return;
            }
            creation = Obj.Timestamp();
        }
        JsonObject? vsError = entries.FirstOrDefault(e => e["error"] != null && Obj.Bool(e["readyToUse"]) != true);
        string? errorText = vsError == null ? null : $"VolumeSnapshot {Obj.Str(vsError, "volumeSnapshotName")} error: {Obj.Str(vsError, "error", "message")}";
        // creationTime is written alone first, so every client sees Succeeded before readyToUse (reference §4.1 item 7).
        WriteStatus(key, statuses, ready: cut && ready && !firstCut, error: errorText, creation: creation);
        if (firstCut && ready) Requeue(key, TimeSpan.Zero);
    }

    /// <summary>
    /// Lets the snapshot loop see a transient content error before the retry (5 s of lab time can be a few wall
    /// milliseconds, less than a watch round trip): the indications it derives (QuiesceTimeout) depend on it.
    /// </summary>
    private void ShowToSnapshot(ObjectKey key, string snapName) => Host.Get<VirtualMachineSnapshotController>().Reconcile(new ObjectKey(key.Namespace, snapName));

    private AgentResult Freeze(JsonObject snap, string vmName)
    {
        AgentResult result = new SnapshotSource(Host, Obj.Namespace(snap), vmName)
            .Freeze(Obj.Name(snap), VirtualMachineSnapshotController.FailureDeadline(snap));
        if (result is not AgentResult.Failed failed || failed.Error == "attempting to freeze unlocked VM") return result;
        string message = Wrapped500(failed.Error);
        return new AgentResult.Failed(Host.Settings.KubeVirt.HasQuiesceFailed ? $"Failed freezing vm {vmName}: {message}" : message);
    }

    private AgentResult Thaw(JsonObject? snap, string vmName)
    {
        if (snap == null) return new AgentResult.Done();
        AgentResult result = new SnapshotSource(Host, Obj.Namespace(snap), vmName).Unfreeze();
        return result is AgentResult.Failed f ? new AgentResult.Failed(Wrapped500(f.Error)) : result;
    }

    private JsonObject CreateVolumeSnapshot(JsonObject content, string name, string claim, string vmName, string? ns)
    {
        string storageClass = Obj.Str(Obj.Items(content["spec"]?["volumeBackups"]).First(b => Obj.Str(b, "volumeSnapshotName") == name), "persistentVolumeClaim", "spec", "storageClassName") ?? "";
        string? snapshotClass;
        try { snapshotClass = SnapshotClassResolver.Resolve(Store, storageClass); }
        catch (SnapshotClassException) { snapshotClass = null; }
        JsonObject spec = new() { ["source"] = new JsonObject { ["persistentVolumeClaimName"] = claim } };
        if (!string.IsNullOrEmpty(snapshotClass)) spec["volumeSnapshotClassName"] = snapshotClass;
        JsonObject vs = Store.Create(new JsonObject
        {
            ["apiVersion"] = "snapshot.storage.k8s.io/v1",
            ["kind"] = "VolumeSnapshot",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = ns,
                ["labels"] = new JsonObject { [SourceVmNameLabel] = vmName, [SourceVmNamespaceLabel] = ns },
                ["ownerReferences"] = new JsonArray(Obj.OwnerRef(content)),
            },
            ["spec"] = spec,
        });
        Host.Events.Record(content, EventRecorder.Normal, "SuccessfulVolumeSnapshotCreate", $"Successfully created VolumeSnapshot {name}", Component);
        return vs;
    }

    private void SetError(ObjectKey key, string message, bool clearCreation) => Store.Change(Plurals.VirtualMachineSnapshotContents, key.Namespace, key.Name, o =>
    {
        JsonObject status = Obj.Status(o);
        status["readyToUse"] = false;
        if (clearCreation) status.Remove("creationTime");
        if (Obj.Str(status, "error", "message") != message) status["error"] = new JsonObject { ["time"] = Obj.Timestamp(), ["message"] = message };
    });

    private void WriteStatus(ObjectKey key, JsonArray statuses, bool ready, string? error, string? creation) => Store.Change(Plurals.VirtualMachineSnapshotContents, key.Namespace, key.Name, o =>
    {
        JsonObject status = Obj.Status(o);
        status["readyToUse"] = ready;
        if (creation != null) status["creationTime"] = creation; else status.Remove("creationTime");
        if (statuses.Count > 0) status["volumeSnapshotStatus"] = statuses; else status.Remove("volumeSnapshotStatus");
        if (error == null) status.Remove("error");
        else if (Obj.Str(status, "error", "message") != error) status["error"] = new JsonObject { ["time"] = Obj.Timestamp(), ["message"] = error };
    });
}
