using System.Text.Json.Nodes;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// KubeVirt's choice of VolumeSnapshotClass for a StorageClass (reference §5.3, snapshot.go
/// getVolumeSnapshotClassName): the CDI StorageProfile's status.snapshotClass if set (and existing), else the
/// only class whose driver is the provisioner, else the first such class carrying the default-class annotation
/// key (presence only), else the error "N matching VolumeSnapshotClasses for SC".
/// </summary>
internal static class SnapshotClassResolver
{
    public const string DefaultClassAnnotation = "snapshot.storage.kubernetes.io/is-default-class";

    /// <summary>The class name, "" for none, or throws <see cref="SnapshotClassException"/> when ambiguous.</summary>
    public static string Resolve(LabStore store, string storageClassName)
    {
        JsonObject? sc = store.Get(Plurals.StorageClasses, null, storageClassName);
        if (sc == null) return "";
        JsonObject? profile = store.Get("storageprofiles", null, storageClassName);
        string? fromProfile = Obj.Str(profile, "status", "snapshotClass");
        if (!string.IsNullOrEmpty(fromProfile))
            return store.Get(Plurals.VolumeSnapshotClasses, null, fromProfile) != null ? fromProfile : "";
        string? provisioner = Obj.Str(sc, "provisioner");
        List<JsonObject> matching = store.List(Plurals.VolumeSnapshotClasses).Where(c => Obj.Str(c, "driver") == provisioner).ToList();
        if (matching.Count == 0) return "";
        if (matching.Count == 1) return Obj.Name(matching[0]);
        JsonObject? annotated = matching.FirstOrDefault(c => c["metadata"]?["annotations"]?[DefaultClassAnnotation] != null);
        if (annotated != null) return Obj.Name(annotated);
        throw new SnapshotClassException($"{matching.Count} matching VolumeSnapshotClasses for {storageClassName}");
    }
}

internal sealed class SnapshotClassException(string message) : Exception(message);
