using System.Text.Json.Nodes;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// The VolumeSnapshotContent the snapshot-controller creates for a dynamically provisioned VolumeSnapshot
/// (external-snapshotter pkg/common-controller/snapshot_controller.go createSnapshotContent): snapcontent-&lt;snapshot
/// uid&gt;, bound back to the snapshot by volumeSnapshotRef, with the class's deletionPolicy and driver and the source
/// volume's handle, carrying volumesnapshotcontent-bound-protection (syncContent adds it on its first pass).
/// </summary>
internal static class VolumeSnapshotContents
{
    public static string NameFor(JsonObject vs) => $"snapcontent-{Obj.Uid(vs)}";

    public static JsonObject Build(JsonObject vs, string contentName, JsonObject? snapshotClass, string? driver, string? className, string handle, string? volumeMode) => new()
    {
        ["apiVersion"] = "snapshot.storage.k8s.io/v1",
        ["kind"] = "VolumeSnapshotContent",
        ["metadata"] = new JsonObject { ["name"] = contentName, ["finalizers"] = new JsonArray(CsiSnapshotter.ContentFinalizer) },
        ["spec"] = new JsonObject
        {
            ["volumeSnapshotRef"] = new JsonObject
            {
                ["apiVersion"] = "snapshot.storage.k8s.io/v1", ["kind"] = "VolumeSnapshot",
                ["name"] = Obj.Name(vs), ["namespace"] = Obj.Namespace(vs), ["uid"] = Obj.Uid(vs),
            },
            ["deletionPolicy"] = Obj.Str(snapshotClass, "deletionPolicy") ?? "Delete",
            ["driver"] = driver,
            ["volumeSnapshotClassName"] = className,
            ["source"] = new JsonObject { ["volumeHandle"] = handle },
            ["sourceVolumeMode"] = volumeMode ?? "Filesystem",
        },
        ["status"] = new JsonObject { ["readyToUse"] = false },
    };

    /// <summary>The sidecar's handle of the cut snapshot (the CSI driver's snapshot id).</summary>
    public static string SnapshotHandle(string contentName) => $"snapshot-{contentName[(contentName.IndexOf('-') + 1)..]}";
}
