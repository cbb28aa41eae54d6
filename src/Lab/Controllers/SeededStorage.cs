using System.Text.Json.Nodes;
using VmSnapshot.Lab.Api;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// Completes a scenario's storage the way the cluster it describes would hold it: a scenario is a snapshot of a
/// running cluster, whose claims and volumes went through the apiserver and the storage controllers. Volumes carry
/// kubernetes.io/pv-protection (StorageObjectInUseProtection admission; claims get kubernetes.io/pvc-protection on
/// the PV binder's first pass, so a lab without controllers can still delete them, having no pvc-protection
/// controller to let them go); a claim named after a DataVolume of its namespace is owned by it (CDI's pkg/controller/datavolume/controller-base.go
/// newPersistentVolumeClaim: metav1.NewControllerRef, so controller and blockOwnerDeletion true); a Bound claim has
/// its PersistentVolume (the one spec.volumeName names, else pvc-&lt;uid&gt;, see <see cref="PersistentVolumes"/>), and a
/// bound VolumeSnapshot its VolumeSnapshotContent (see <see cref="VolumeSnapshotContents"/>).
/// What the scenario spells out itself (finalizers, ownerReferences, a PersistentVolume) is kept.
/// </summary>
internal static class SeededStorage
{
    public static void Complete(LabStore store)
    {
        foreach (JsonObject pv in store.List(Plurals.PersistentVolumes).Where(pv => !Obj.HasFinalizer(pv, StorageObjectInUseProtection.PvProtection)))
            store.Update(Plurals.PersistentVolumes, null, Obj.Name(pv), o => Obj.AddFinalizer(o, StorageObjectInUseProtection.PvProtection));

        Dictionary<(string?, string), JsonObject> dataVolumes = new();
        foreach (JsonObject dv in store.List(Plurals.DataVolumes))
            dataVolumes[(Obj.Namespace(dv), Obj.Str(dv, "status", "claimName") ?? Obj.Name(dv))] = dv;

        foreach (JsonObject pvc in store.List(Plurals.PersistentVolumeClaims))
        {
            string? ns = Obj.Namespace(pvc);
            string name = Obj.Name(pvc);
            dataVolumes.TryGetValue((ns, name), out JsonObject? owner);
            bool bound = Obj.Str(pvc, "status", "phase") == "Bound";
            string pvName = Obj.Str(pvc, "spec", "volumeName") ?? $"pvc-{Obj.Uid(pvc)}";
            string? className = Obj.Str(pvc, "spec", "storageClassName");
            JsonObject? storageClass = className == null ? null : store.Get(Plurals.StorageClasses, null, className);
            string? provisioner = Obj.Str(storageClass, "provisioner");
            store.Update(Plurals.PersistentVolumeClaims, ns, name, o =>
            {
                if (owner != null && o["metadata"]?["ownerReferences"] is not JsonArray { Count: > 0 })
                    Obj.Meta(o)["ownerReferences"] = new JsonArray(Obj.OwnerRef(owner, controller: true, blockOwnerDeletion: true));
                if (!bound) return;
                Obj.Child(o, "spec")["volumeName"] = pvName;
                // The PV controller's marks of a claim it bound to a provisioned volume (pkg/controller/volume/persistentvolume/
                // pv_controller.go bindClaimToVolume and setClaimProvisioner), as the binder writes them.
                JsonObject annotations = Obj.Child(Obj.Meta(o), "annotations");
                annotations["pv.kubernetes.io/bind-completed"] ??= "yes";
                annotations["pv.kubernetes.io/bound-by-controller"] ??= "yes";
                if (provisioner == null) return;
                annotations["volume.beta.kubernetes.io/storage-provisioner"] ??= provisioner;
                annotations["volume.kubernetes.io/storage-provisioner"] ??= provisioner;
            });
            if (!bound || store.Get(Plurals.PersistentVolumes, null, pvName) != null) continue;
            string capacity = Obj.Str(pvc, "status", "capacity", "storage") ?? Obj.Str(pvc, "spec", "resources", "requests", "storage") ?? "1Gi";
            store.Seed(PersistentVolumes.Build(store.Get(Plurals.PersistentVolumeClaims, ns, name)!, pvName, storageClass, capacity));
        }
        foreach (JsonObject vs in store.List(Plurals.VolumeSnapshots)) CompleteContent(store, vs);
    }

    /// <summary>A VolumeSnapshot bound to a content the scenario leaves out gets it, cut and ready as the snapshot says.</summary>
    private static void CompleteContent(LabStore store, JsonObject vs)
    {
        string? contentName = Obj.Str(vs, "status", "boundVolumeSnapshotContentName");
        string? claim = Obj.Str(vs, "spec", "source", "persistentVolumeClaimName");
        if (contentName == null || claim == null || store.Get(Plurals.VolumeSnapshotContents, null, contentName) != null) return;
        string? className = Obj.Str(vs, "spec", "volumeSnapshotClassName");
        JsonObject? snapshotClass = className == null ? null : store.Get(Plurals.VolumeSnapshotClasses, null, className);
        JsonObject? pvc = store.Get(Plurals.PersistentVolumeClaims, Obj.Namespace(vs), claim);
        string handle = Obj.Str(pvc, "spec", "volumeName") ?? (pvc == null ? claim : $"pvc-{Obj.Uid(pvc)}");
        JsonObject content = VolumeSnapshotContents.Build(vs, contentName, snapshotClass, Obj.Str(snapshotClass, "driver"), className, handle, Obj.Str(pvc, "spec", "volumeMode"));
        JsonObject status = Obj.Status(content);
        status["readyToUse"] = Obj.Bool(vs["status"]?["readyToUse"]) == true;
        if (Obj.ParseTime(Obj.Str(vs, "status", "creationTime")) is DateTime created)
        {
            status["creationTime"] = (created.ToUniversalTime() - DateTime.UnixEpoch).Ticks * 100; // nanoseconds, as the sidecar writes it
            status["snapshotHandle"] = VolumeSnapshotContents.SnapshotHandle(contentName);
        }
        if (Obj.Str(vs, "status", "restoreSize") is string size) status["restoreSize"] = Obj.QuantityBytes(size);
        store.Seed(content);
    }
}
