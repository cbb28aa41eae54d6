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
/// its PersistentVolume (the one spec.volumeName names, else pvc-&lt;uid&gt;, see <see cref="PersistentVolumes"/>).
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
    }
}
