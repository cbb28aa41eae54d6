using System.Text.Json.Nodes;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// The VM's volumes as the snapshot controller sees them: which are backed by a PVC (persistentVolumeClaim,
/// dataVolume, memoryDump), and the per-volume status.volumeSnapshotStatuses entry with the exact reason
/// strings of snapshot.go getVolumeSnapshotStatus (reference §3.1).
/// </summary>
internal static class VmVolumes
{
    public static IEnumerable<JsonObject> Of(JsonObject vm) => Obj.Items(vm["spec"]?["template"]?["spec"]?["volumes"]);

    /// <summary>
    /// The store index of VMs by the claims their volumes name, KubeVirt's "pvc" index of the VM informer
    /// (pkg/storage/snapshot/snapshot_base.go handlePVC looks VMs up by it): a claim's change wakes the VMs and
    /// snapshots it concerns without parsing every VM of the namespace (a fleet snapshot changes thousands of claims).
    /// </summary>
    public const string ByClaimIndex = "spec.template.spec.volumes.claimName";

    /// <summary>Adds <see cref="ByClaimIndex"/> (once, whichever controller asks first).</summary>
    public static void AddClaimIndex(LabStore store)
        => store.AddIndex(Plurals.VirtualMachines, ByClaimIndex, vm => Of(vm).Select(ClaimName).OfType<string>().Distinct());

    /// <summary>The claim behind a volume, or null for containerDisk, cloudInit, etc.</summary>
    public static string? ClaimName(JsonObject volume)
        => Obj.Str(volume, "persistentVolumeClaim", "claimName") ?? Obj.Str(volume, "dataVolume", "name") ?? Obj.Str(volume, "memoryDump", "claimName");

    public static bool IsMemoryDump(JsonObject volume) => volume["memoryDump"] != null;

    public static JsonArray SnapshotStatuses(LabStore store, JsonObject vm)
    {
        string? ns = Obj.Namespace(vm);
        JsonArray result = new();
        foreach (JsonObject volume in Of(vm))
        {
            string name = Obj.Str(volume, "name") ?? "";
            (bool enabled, string? reason) = Status(store, ns, volume, name);
            JsonObject entry = new() { ["name"] = name, ["enabled"] = enabled };
            if (reason != null) entry["reason"] = reason;
            result.Add(entry);
        }
        return result;
    }

    private static (bool Enabled, string? Reason) Status(LabStore store, string? ns, JsonObject volume, string name)
    {
        string? claim = ClaimName(volume);
        if (claim == null) return (false, $"Snapshot is not supported for this volumeSource type [{name}]");
        JsonObject? pvc = store.Get(Plurals.PersistentVolumeClaims, ns, claim);
        if (pvc == null) return (false, "PVC not found");
        string? sc = Obj.Str(pvc, "spec", "storageClassName");
        if (string.IsNullOrEmpty(sc)) return (false, "volume type has no StorageClass defined");
        string snapshotClass;
        try { snapshotClass = SnapshotClassResolver.Resolve(store, sc); }
        catch (SnapshotClassException ex) { return (false, ex.Message); }
        if (snapshotClass.Length == 0) return (false, $"No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass [{sc}] [{name}]");
        return (true, null);
    }
}
