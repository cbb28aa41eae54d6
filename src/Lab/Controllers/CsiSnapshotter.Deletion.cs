using System.Text.Json.Nodes;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// The snapshot-controller's finalizers (kubernetes-csi/external-snapshotter pkg/common-controller/snapshot_controller.go):
/// a VolumeSnapshot carries volumesnapshot-as-source-protection from its first sync, and volumesnapshot-bound-protection
/// once bound to a content whose deletionPolicy is Delete (checkandAddSnapshotFinalizers); its source claim carries
/// pvc-as-source-protection while a snapshot of it is not readyToUse (ensurePVCFinalizer, checkandRemovePVCFinalizer).
/// A deleted VolumeSnapshot waits while a Pending claim is restored from it, then marks its content
/// volumesnapshot-being-deleted, deletes it when the policy is Delete, and keeps bound-protection until the content is
/// gone (processSnapshotWithDeletionTimestamp, checkandRemoveSnapshotFinalizersAndCheckandDeleteContent).
/// </summary>
internal sealed partial class CsiSnapshotter
{
    public const string AsSourceFinalizer = "snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection";
    public const string BoundFinalizer = "snapshot.storage.kubernetes.io/volumesnapshot-bound-protection";
    public const string ContentFinalizer = "snapshot.storage.kubernetes.io/volumesnapshotcontent-bound-protection";
    public const string PvcFinalizer = "snapshot.storage.kubernetes.io/pvc-as-source-protection";
    public const string BeingDeletedAnnotation = "snapshot.storage.kubernetes.io/volumesnapshot-being-deleted";

    /// <summary>checkandAddSnapshotFinalizers; true when it wrote (the watch brings the snapshot back).</summary>
    private bool CheckAndAddSnapshotFinalizers(ObjectKey key, JsonObject vs)
    {
        JsonObject? content = BoundContent(vs);
        bool addSource = !Obj.HasFinalizer(vs, AsSourceFinalizer);
        bool addBound = content != null && !Obj.HasFinalizer(vs, BoundFinalizer)
            && Obj.Str(vs, "status", "boundVolumeSnapshotContentName") != null && Obj.Str(content, "spec", "deletionPolicy") == "Delete";
        if (!addSource && !addBound) return false;
        Store.Change(Plurals.VolumeSnapshots, key.Namespace, key.Name, o =>
        {
            if (addSource) Obj.AddFinalizer(o, AsSourceFinalizer);
            if (addBound) Obj.AddFinalizer(o, BoundFinalizer);
        });
        return true;
    }

    /// <summary>The content the snapshot names (or would name: snapcontent-&lt;uid&gt;), when it points back at this snapshot.</summary>
    private JsonObject? BoundContent(JsonObject vs)
    {
        string? name = Obj.Str(vs, "status", "boundVolumeSnapshotContentName")
            ?? (Obj.Str(vs, "spec", "source", "persistentVolumeClaimName") != null ? VolumeSnapshotContents.NameFor(vs) : null);
        JsonObject? content = name == null ? null : Store.Get(Plurals.VolumeSnapshotContents, null, name);
        return content != null && Obj.Str(content, "spec", "volumeSnapshotRef", "uid") == Obj.Uid(vs)
            && Obj.Str(content, "spec", "volumeSnapshotRef", "name") == Obj.Name(vs)
            && Obj.Str(content, "spec", "volumeSnapshotRef", "namespace") == Obj.Namespace(vs) ? content : null;
    }

    /// <summary>processSnapshotWithDeletionTimestamp and checkandRemoveSnapshotFinalizersAndCheckandDeleteContent.</summary>
    private void ProcessDeletion(ObjectKey key, JsonObject vs)
    {
        if (!Obj.HasFinalizer(vs, AsSourceFinalizer) && !Obj.HasFinalizer(vs, BoundFinalizer)) return; // IsSnapshotDeletionCandidate
        JsonObject? content = BoundContent(vs);
        bool deleteContent = content != null && Obj.Str(content, "spec", "deletionPolicy") == "Delete";
        if (content != null && IsVolumeBeingCreatedFromSnapshot(vs))
        {
            Host.Events.Record(vs, EventRecorder.Warning, "SnapshotDeletePending", "Snapshot is being used to restore a PVC", Component);
            Requeue(key, TimeSpan.FromSeconds(5)); // the workqueue's retry; the claim's binding also brings it back
            return;
        }
        if (content != null)
        {
            string contentName = Obj.Name(content);
            if (Obj.Annotation(content, BeingDeletedAnnotation) == null)
                Store.Change(Plurals.VolumeSnapshotContents, null, contentName, o => Obj.Child(Obj.Meta(o), "annotations")[BeingDeletedAnnotation] = "yes");
            if (deleteContent && !Obj.Deleting(content)) Store.Delete(Plurals.VolumeSnapshotContents, null, contentName);
        }
        // removeSnapshotFinalizer: the source claim first (this snapshot no longer counts), then the snapshot's own.
        CheckAndRemovePvcFinalizer(vs, skipCurrentSnapshot: true);
        bool removeBound = !(content != null && deleteContent);
        Store.Change(Plurals.VolumeSnapshots, key.Namespace, key.Name, o =>
        {
            Obj.RemoveFinalizer(o, AsSourceFinalizer);
            if (removeBound) Obj.RemoveFinalizer(o, BoundFinalizer);
        });
        if (removeBound) _boundAt.Remove(Obj.Uid(vs));
    }

    /// <summary>isVolumeBeingCreatedFromSnapshot: a Pending claim of the namespace has this snapshot as its dataSource.</summary>
    private bool IsVolumeBeingCreatedFromSnapshot(JsonObject vs) => Store.Lookup(Plurals.PersistentVolumeClaims, StorageIndexes.ClaimsByDataSource, Obj.Namespace(vs), Obj.Name(vs))
        .Select(name => Store.Get(Plurals.PersistentVolumeClaims, Obj.Namespace(vs), name)).Any(pvc =>
        pvc?["spec"]?["dataSource"] is JsonObject ds && Obj.Str(ds, "name") == Obj.Name(vs) && Obj.Str(ds, "kind") == "VolumeSnapshot"
        && Obj.Str(ds, "apiGroup") == "snapshot.storage.k8s.io" && Obj.Str(pvc, "status", "phase") == "Pending");

    /// <summary>ensurePVCFinalizer: false (and the snapshot's error) when the claim is being deleted.</summary>
    private bool EnsurePvcFinalizer(ObjectKey key, JsonObject pvc)
    {
        if (Obj.HasFinalizer(pvc, PvcFinalizer)) return true;
        if (Obj.Deleting(pvc))
        {
            Fail(key, $"Failed to create snapshot content with error snapshot controller failed to update {Obj.Name(pvc)} on API server: cannot add finalizer on claim because it is being deleted");
            return false;
        }
        Store.Change(Plurals.PersistentVolumeClaims, key.Namespace, Obj.Name(pvc), o => Obj.AddFinalizer(o, PvcFinalizer));
        return true;
    }

    /// <summary>checkandRemovePVCFinalizer with isPVCBeingUsed: the claim keeps the finalizer while a snapshot of it is not ready.</summary>
    private void CheckAndRemovePvcFinalizer(JsonObject vs, bool skipCurrentSnapshot)
    {
        string? claim = Obj.Str(vs, "spec", "source", "persistentVolumeClaimName");
        if (claim == null) return;
        string? ns = Obj.Namespace(vs);
        JsonObject? pvc = Store.Get(Plurals.PersistentVolumeClaims, ns, claim);
        if (pvc == null || !Obj.HasFinalizer(pvc, PvcFinalizer)) return;
        bool inUse = Store.Lookup(Plurals.VolumeSnapshots, StorageIndexes.SnapshotsBySourceClaim, ns, claim)
            .Where(name => !(skipCurrentSnapshot && name == Obj.Name(vs)))
            .Select(name => Store.Get(Plurals.VolumeSnapshots, ns, name))
            .Any(s => s != null && Obj.Bool(s["status"]?["readyToUse"]) != true);
        if (!inUse) Store.Change(Plurals.PersistentVolumeClaims, ns, claim, o => Obj.RemoveFinalizer(o, PvcFinalizer));
    }
}
