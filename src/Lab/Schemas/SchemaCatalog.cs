using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using VmSnapshot.Lab.Json;

namespace VmSnapshot.Lab.Schemas;

/// <summary>Loads the embedded CRD schemas on first use (the content schema alone is 387 KB) and caches them per process.</summary>
internal static class SchemaCatalog
{
    private static readonly Dictionary<string, string> Files = new()
    {
        ["virtualmachinesnapshots.snapshot.kubevirt.io"] = "kubevirt-crd-validation-virtualmachinesnapshot.yaml",
        ["virtualmachinesnapshotcontents.snapshot.kubevirt.io"] = "kubevirt-crd-validation-virtualmachinesnapshotcontent.yaml",
        ["virtualmachinerestores.snapshot.kubevirt.io"] = "kubevirt-crd-validation-virtualmachinerestore.yaml",
        ["virtualmachineclones.clone.kubevirt.io"] = "kubevirt-crd-validation-virtualmachineclone.yaml",
        ["volumesnapshots.snapshot.storage.k8s.io"] = "snapshot.storage.k8s.io_volumesnapshots.yaml",
        ["volumesnapshotclasses.snapshot.storage.k8s.io"] = "snapshot.storage.k8s.io_volumesnapshotclasses.yaml",
        ["volumesnapshotcontents.snapshot.storage.k8s.io"] = "snapshot.storage.k8s.io_volumesnapshotcontents.yaml",
    };

    private static readonly ConcurrentDictionary<string, Lazy<JsonObject?>> Cache = new();

    /// <summary>The openAPIV3Schema for a qualified resource, or null when the lab has none.</summary>
    public static JsonObject? For(string qualifiedResource)
        => Files.TryGetValue(qualifiedResource, out var file) ? Cache.GetOrAdd(qualifiedResource, _ => new Lazy<JsonObject?>(() => Load(file))).Value : null;

    private static JsonObject? Load(string file)
    {
        using var stream = typeof(SchemaCatalog).Assembly.GetManifestResourceStream($"VmSnapshot.Lab.Schemas.{file}");
        if (stream == null) return null;
        using var reader = new StreamReader(stream);
        var doc = YamlToJson.ParseAll(reader.ReadToEnd()).FirstOrDefault() as JsonObject;
        // KubeVirt files are the bare openAPIV3Schema block; the CSI files are whole CRDs (version v1).
        if (doc?["openAPIV3Schema"] is JsonObject bare) return bare;
        var versions = doc?["spec"]?["versions"] as JsonArray;
        return versions?.OfType<JsonObject>().FirstOrDefault(v => JsonUtil.Str(v["name"]) == "v1")?["schema"]?["openAPIV3Schema"] as JsonObject;
    }
}
