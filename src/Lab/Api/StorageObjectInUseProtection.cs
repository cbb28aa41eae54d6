using System.Text.Json.Nodes;
using VmSnapshot.Lab.Json;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Lab.Api;

/// <summary>
/// kube-apiserver's StorageObjectInUseProtection admission plugin
/// (plugin/pkg/admission/storage/storageobjectinuseprotection/admission.go, admitPVC and admitPV): every
/// PersistentVolumeClaim created gets kubernetes.io/pvc-protection and every PersistentVolume
/// kubernetes.io/pv-protection, appended to the finalizers the client sent, so the create's answer carries it.
/// The plugin handles creates only. Objects the lab writes itself (the scenario, its controllers) get the same
/// finalizer from the seeding step and the PV binder.
/// </summary>
internal sealed class StorageObjectInUseProtection : IAdmissionWebhook
{
    public const string PvcProtection = "kubernetes.io/pvc-protection";
    public const string PvProtection = "kubernetes.io/pv-protection";

    public bool Handles(ResourceType type) => type.Group == "" && type.Plural is "persistentvolumeclaims" or "persistentvolumes";

    public void Admit(AdmissionRequest request)
    {
        if (request.Operation != AdmissionOperation.Create) return;
        string finalizer = request.Type.Plural == "persistentvolumes" ? PvProtection : PvcProtection;
        JsonObject meta = JsonUtil.Obj(request.Object, "metadata");
        if (meta["finalizers"] is not JsonArray finalizers) meta["finalizers"] = finalizers = new JsonArray();
        if (!finalizers.Any(f => f?.ToString() == finalizer)) finalizers.Add(finalizer);
    }
}
