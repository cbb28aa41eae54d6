using System.Text.Json.Nodes;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// The PersistentVolume a CSI external-provisioner creates for a claim (external-provisioner's
/// controller.go Provision, through sig-storage-lib-external-provisioner's provisionClaimOperation): named
/// pvc-&lt;claim uid&gt; unless the claim already names one, bound to the claim by spec.claimRef, annotated
/// pv.kubernetes.io/provisioned-by, with the StorageClass's reclaimPolicy, and kubernetes.io/pv-protection from the
/// StorageObjectInUseProtection admission plugin. Used by the binder and for a scenario's Bound claims.
/// </summary>
internal static class PersistentVolumes
{
    public const string PvProtection = Api.StorageObjectInUseProtection.PvProtection;

    public static JsonObject Build(JsonObject pvc, string pvName, JsonObject? storageClass, string capacity)
    {
        string? className = Obj.Str(pvc, "spec", "storageClassName") ?? (storageClass == null ? null : Obj.Name(storageClass));
        string provisioner = Obj.Str(storageClass, "provisioner") ?? Obj.Annotation(pvc, "volume.kubernetes.io/storage-provisioner") ?? "";
        JsonObject spec = new()
        {
            ["capacity"] = new JsonObject { ["storage"] = capacity },
            ["accessModes"] = Obj.Clone(pvc["spec"]?["accessModes"]) ?? new JsonArray("ReadWriteOnce"),
            // The StorageClass's reclaimPolicy, Delete when it names none (storage/v1 SetDefaults_StorageClass).
            ["persistentVolumeReclaimPolicy"] = Obj.Str(storageClass, "reclaimPolicy") ?? "Delete",
            ["storageClassName"] = className,
            ["volumeMode"] = Obj.Str(pvc, "spec", "volumeMode") ?? "Filesystem",
            ["claimRef"] = new JsonObject
            {
                ["kind"] = "PersistentVolumeClaim", ["namespace"] = Obj.Namespace(pvc), ["name"] = Obj.Name(pvc),
                ["uid"] = Obj.Uid(pvc), ["apiVersion"] = "v1",
            },
            ["csi"] = new JsonObject { ["driver"] = provisioner, ["volumeHandle"] = pvName, ["fsType"] = "ext4" },
        };
        if (className == null) spec.Remove("storageClassName");
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "PersistentVolume",
            ["metadata"] = new JsonObject
            {
                ["name"] = pvName,
                ["annotations"] = new JsonObject { ["pv.kubernetes.io/provisioned-by"] = provisioner },
                ["finalizers"] = new JsonArray(PvProtection),
            },
            ["spec"] = spec,
            ["status"] = new JsonObject { ["phase"] = "Bound" },
        };
    }
}
