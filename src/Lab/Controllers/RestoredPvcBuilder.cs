using System.Text.Json.Nodes;
using static VmSnapshot.Lab.Controllers.RestoreNames;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// CreateRestorePVCDef (reference §4.2 item 7): the source claim's labels and annotations minus the provisioning
/// ones, the restore labels and annotations, the overrides, and a spec whose dataSource and dataSourceRef are the
/// VolumeSnapshot, with the request raised to the snapshot's restoreSize.
/// </summary>
internal static class RestoredPvcBuilder
{
    private static readonly string[] s_droppedAnnotationPrefixes = ["pv.kubernetes.io", "volume.beta.kubernetes.io", "cdi.kubevirt.io", "volume.kubernetes.io", "k8s.io/CloneRequest", "k8s.io/CloneOf"];

    public static JsonObject Build(JsonObject restore, JsonObject backup, string claimName, JsonObject? volumeSnapshot, string sourceVmName)
    {
        JsonObject source = backup["persistentVolumeClaim"] as JsonObject ?? new JsonObject();
        JsonObject labels = new();
        foreach ((string k, JsonNode? v) in source["metadata"]?["labels"] as JsonObject ?? [])
            if (k != "persistent-state-for") labels[k] = v?.DeepClone();
        JsonObject annotations = new();
        foreach ((string k, JsonNode? v) in source["metadata"]?["annotations"] as JsonObject ?? [])
            if (k == "cdi.kubevirt.io/storage.contentType" || !s_droppedAnnotationPrefixes.Any(p => k.StartsWith(p, StringComparison.Ordinal))) annotations[k] = v?.DeepClone();
        labels[SourceVmNameLabel] = sourceVmName;
        labels[SourceVmNamespaceLabel] = Obj.Namespace(restore);
        annotations[RestoreNameAnnotation] = Obj.Name(restore);
        annotations[LastRestoreUidAnnotation] = $"{Obj.Name(restore)}-{Obj.Uid(restore)}";
        string? volumeName = Obj.Str(backup, "volumeName");
        foreach (JsonObject? o in Obj.Items(restore["spec"]?["volumeRestoreOverrides"]).Where(o => Obj.Str(o, "volumeName") == volumeName))
        {
            foreach ((string k, JsonNode? v) in o["labels"] as JsonObject ?? []) labels[k] = v?.DeepClone();
            foreach ((string k, JsonNode? v) in o["annotations"] as JsonObject ?? []) annotations[k] = v?.DeepClone();
        }

        JsonObject sourceSpec = source["spec"] as JsonObject ?? new JsonObject();
        string request = Obj.Str(sourceSpec, "resources", "requests", "storage") ?? "1Gi";
        string? restoreSize = Obj.Str(volumeSnapshot, "status", "restoreSize");
        if (Obj.QuantityBytes(restoreSize) > Obj.QuantityBytes(request)) request = restoreSize!;
        JsonObject vsRef = new() { ["apiGroup"] = "snapshot.storage.k8s.io", ["kind"] = "VolumeSnapshot", ["name"] = Obj.Str(backup, "volumeSnapshotName") };
        JsonObject spec = new()
        {
            ["accessModes"] = Obj.Clone(sourceSpec["accessModes"]),
            ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["storage"] = request } },
            ["storageClassName"] = Obj.Clone(sourceSpec["storageClassName"]),
            ["volumeMode"] = Obj.Clone(sourceSpec["volumeMode"]),
            ["dataSource"] = vsRef,
            ["dataSourceRef"] = vsRef.DeepClone(),
        };
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "PersistentVolumeClaim",
            ["metadata"] = new JsonObject { ["name"] = claimName, ["namespace"] = Obj.Namespace(restore), ["labels"] = labels, ["annotations"] = annotations },
            ["spec"] = spec,
        };
    }
}
