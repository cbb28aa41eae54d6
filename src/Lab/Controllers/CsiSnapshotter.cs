using System.Text.Json.Nodes;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// The external-snapshotter (snapshot-controller plus the CSI sidecar), reference §5.1: a VolumeSnapshot of a
/// PVC gets a VolumeSnapshotContent snapcontent-&lt;uid&gt; bound both ways, is cut after the StorageClass's
/// snapshotCutDelay (creationTime, restoreSize) and readyToUse after snapshotReadyDelay more. A missing class,
/// a class whose driver is not the PVC's provisioner, or an injected snapshotError show up in status.error.
/// Finalizers and deletion (the source claim's, the snapshot's, the content's) are in CsiSnapshotter.Deletion.cs.
/// </summary>
internal sealed partial class CsiSnapshotter(ControllerHost host) : Controller(host)
{
    private const string Component = "snapshot-controller";
    private readonly Dictionary<string, DateTime> _boundAt = new(StringComparer.Ordinal);

    public override string Name => "csi-snapshotter";

    public override void AddIndexes() => StorageIndexes.Add(Store);

    public override IEnumerable<ControllerWatch> Watches() =>
    [
        Own(Plurals.VolumeSnapshots),
        new(Plurals.PersistentVolumeClaims, e => Lookup(Plurals.VolumeSnapshots, StorageIndexes.SnapshotsBySourceClaim, e.Object!.Namespace, e.Object.Name)
            .Concat(RestoredFrom(e.Object.ToJson(), e.Object.Namespace))),
        // A content that goes lets its snapshot's bound-protection finalizer go (processSnapshotWithDeletionTimestamp).
        new(Plurals.VolumeSnapshotContents, e => Obj.Str(e.Object!.ToJson(), "spec", "volumeSnapshotRef", "name") is string name
            ? [new ObjectKey(Obj.Str(e.Object.ToJson(), "spec", "volumeSnapshotRef", "namespace"), name)] : []),
    ];

    /// <summary>The VolumeSnapshot a claim is restored from: its deletion waits while the claim is Pending.</summary>
    private static IEnumerable<ObjectKey> RestoredFrom(JsonObject pvc, string? ns)
        => pvc["spec"]?["dataSource"] is JsonObject ds && Obj.Str(ds, "kind") == "VolumeSnapshot" && Obj.Str(ds, "name") is string name
            ? [new ObjectKey(ns, name)] : [];

    public override void Reconcile(ObjectKey key)
    {
        JsonObject? vs = Store.Get(Plurals.VolumeSnapshots, key.Namespace, key.Name);
        if (vs == null) return; // a content outlives a snapshot that went without finalizers (syncContent deletes nothing then)
        CheckAndRemovePvcFinalizer(vs, skipCurrentSnapshot: false);
        if (Obj.Deleting(vs)) { ProcessDeletion(key, vs); return; }
        if (CheckAndAddSnapshotFinalizers(key, vs)) return; // the update requeues this snapshot
        string uid = Obj.Uid(vs);
        string? contentName = Obj.Str(vs, "status", "boundVolumeSnapshotContentName");
        if (contentName == null) { Bind(key, vs); return; }
        if (Obj.Bool(vs["status"]?["readyToUse"]) == true) return;

        JsonObject? pvc = Store.Get(Plurals.PersistentVolumeClaims, key.Namespace, Obj.Str(vs, "spec", "source", "persistentVolumeClaimName") ?? "");
        StorageBehaviour behaviour = Host.Storage.For(pvc == null ? null : Host.Storage.ClassOf(pvc));
        if (!_boundAt.TryGetValue(uid, out DateTime since)) _boundAt[uid] = since = LabNow;
        DateTime cutAt = since + behaviour.SnapshotCutDelay;
        DateTime readyAt = cutAt + behaviour.SnapshotReadyDelay;
        bool cut = vs["status"]?["creationTime"] != null;
        if (!cut && LabNow >= cutAt) Cut(key, contentName, pvc);
        else if (cut && LabNow >= readyAt) MarkReady(key, contentName, uid);
        DateTime next = LabNow < cutAt ? cutAt : readyAt;
        if (LabNow < next) Requeue(key, next - LabNow);
        else Requeue(key, TimeSpan.Zero);
    }

    private void Bind(ObjectKey key, JsonObject vs)
    {
        string? pvcName = Obj.Str(vs, "spec", "source", "persistentVolumeClaimName");
        if (pvcName == null) return; // pre-provisioned snapshots (source.volumeSnapshotContentName) are not emulated
        JsonObject? pvc = Store.Get(Plurals.PersistentVolumeClaims, key.Namespace, pvcName);
        // createSnapshotContent's ensurePVCFinalizer comes first; its errors name the snapshot, then the claim (newControllerUpdateError).
        if (pvc == null) { Fail(key, $"Failed to create snapshot content with error snapshot controller failed to update {key.Name} on API server: cannot get claim from snapshot"); return; }
        if (!EnsurePvcFinalizer(key, pvc)) return;
        if (Obj.Str(pvc, "status", "phase") != "Bound") return; // the snapshotter waits for the claim to be bound
        string? storageClass = Host.Storage.ClassOf(pvc);
        JsonObject? sc = storageClass == null ? null : Store.Get(Plurals.StorageClasses, null, storageClass);
        string? provisioner = Obj.Str(sc, "provisioner");
        string? className = Obj.Str(vs, "spec", "volumeSnapshotClassName");
        JsonObject? vsc;
        if (className == null)
        {
            vsc = Store.List(Plurals.VolumeSnapshotClasses).FirstOrDefault(c => Obj.Str(c, "driver") == provisioner && Obj.Annotation(c, SnapshotClassResolver.DefaultClassAnnotation) == "true");
            if (vsc == null) { Fail(key, $"Failed to set default snapshot class with error cannot find default snapshot class"); return; }
            className = Obj.Name(vsc);
        }
        else
        {
            vsc = Store.Get(Plurals.VolumeSnapshotClasses, null, className);
        }

        if (vsc == null) { Fail(key, $"Failed to get snapshot class with error volumesnapshotclass.snapshot.storage.k8s.io \"{className}\" not found"); return; }
        string handle = Obj.Str(pvc, "spec", "volumeName") ?? $"pvc-{Obj.Uid(pvc)}";
        if (Obj.Str(vsc, "driver") != provisioner)
        {
            Fail(key, $"Failed to check and update snapshot content: failed to take snapshot of the volume {handle}: \"rpc error: code = NotFound desc = volume {handle} not found\"");
            return;
        }
        StorageBehaviour behaviour = Host.Storage.For(storageClass);
        if (behaviour.SnapshotError != null) { Fail(key, behaviour.SnapshotError); return; }

        string contentName = VolumeSnapshotContents.NameFor(vs);
        if (Store.Get(Plurals.VolumeSnapshotContents, null, contentName) == null)
            Store.Create(VolumeSnapshotContents.Build(vs, contentName, vsc, provisioner, className, handle, Obj.Str(pvc, "spec", "volumeMode")));

        Store.Change(Plurals.VolumeSnapshots, key.Namespace, key.Name, o =>
        {
            Obj.Child(o, "spec")["volumeSnapshotClassName"] = className;
            JsonObject status = Obj.Status(o);
            status["boundVolumeSnapshotContentName"] = contentName;
            status["readyToUse"] = false;
        });
        Host.Events.Record(vs, EventRecorder.Normal, "CreatingSnapshot", "Waiting for a snapshot " + key + " to be created by the CSI driver.", Component);
        Requeue(key, TimeSpan.Zero);
    }

    private void Cut(ObjectKey key, string contentName, JsonObject? pvc)
    {
        string size = Obj.Str(pvc, "status", "capacity", "storage") ?? Obj.Str(pvc, "spec", "resources", "requests", "storage") ?? "1Gi";
        DateTime now = DateTime.UtcNow;
        UpdateContent(contentName, status =>
        {
            status["creationTime"] = (now - DateTime.UnixEpoch).Ticks * 100;
            status["restoreSize"] = Obj.QuantityBytes(size);
            status["snapshotHandle"] = VolumeSnapshotContents.SnapshotHandle(contentName);
            status["readyToUse"] = false;
        });
        Store.Change(Plurals.VolumeSnapshots, key.Namespace, key.Name, o =>
        {
            JsonObject status = Obj.Status(o);
            status["creationTime"] = Obj.Timestamp();
            status["restoreSize"] = size;
            status["readyToUse"] = false;
        });
        // updateSnapshotStatus: the event of the status update that first sets creationTime.
        JsonObject vs = Store.Get(Plurals.VolumeSnapshots, key.Namespace, key.Name)!;
        Host.Events.Record(vs, EventRecorder.Normal, "SnapshotCreated", $"Snapshot {key} was successfully created by the CSI driver.", Component);
    }

    private void MarkReady(ObjectKey key, string contentName, string uid)
    {
        UpdateContent(contentName, status => status["readyToUse"] = true);
        Store.Change(Plurals.VolumeSnapshots, key.Namespace, key.Name, o => Obj.Status(o)["readyToUse"] = true);
        JsonObject vs = Store.Get(Plurals.VolumeSnapshots, key.Namespace, key.Name)!;
        Host.Events.Record(vs, EventRecorder.Normal, "SnapshotReady", $"Snapshot {key} is ready to use.", Component);
        _boundAt.Remove(uid);
    }

    private void UpdateContent(string name, Action<JsonObject> mutate)
    {
        if (Store.Get(Plurals.VolumeSnapshotContents, null, name) == null) return;
        Store.Change(Plurals.VolumeSnapshotContents, null, name, o => mutate(Obj.Status(o)));
    }

    private void Fail(ObjectKey key, string message)
    {
        Store.Change(Plurals.VolumeSnapshots, key.Namespace, key.Name, o =>
        {
            JsonObject status = Obj.Status(o);
            status["readyToUse"] = false;
            if (Obj.Str(status, "error", "message") != message) status["error"] = new JsonObject { ["message"] = message, ["time"] = Obj.Timestamp() };
        });
    }
}
