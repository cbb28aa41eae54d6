using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using VmSnapshot.Lab.Api;
using VmSnapshot.Lab.Json;

namespace VmSnapshot.Lab.Schemas;

/// <summary>
/// Loads embedded CRD YAML files (src/Lab/Schemas) on first use (the content schema alone is 387 KB) and caches them per
/// process. Which kind uses which file is the installing add-on's business (<see cref="ResourceType.SchemaFile"/>).
/// </summary>
internal static class SchemaCatalog
{
    private static readonly ConcurrentDictionary<string, Lazy<JsonObject?>> s_documents = new();

    /// <summary>The openAPIV3Schema of a kind, or null when the lab has none.</summary>
    public static JsonObject? For(ResourceType type) => type.SchemaFile is { } file ? SchemaOf(Document(file)) : null;

    /// <summary>The first YAML document of an embedded file: a whole CRD, or a bare openAPIV3Schema block.</summary>
    public static JsonObject? Document(string file) => s_documents.GetOrAdd(file, f => new Lazy<JsonObject?>(() => Load(f))).Value;

    private static JsonObject? Load(string file)
    {
        using Stream? stream = typeof(SchemaCatalog).Assembly.GetManifestResourceStream($"VmSnapshot.Lab.Schemas.{file}");
        if (stream == null) return null;
        using StreamReader reader = new(stream);
        return YamlToJson.ParseAll(reader.ReadToEnd()).FirstOrDefault() as JsonObject;
    }

    private static JsonObject? SchemaOf(JsonObject? doc)
    {
        // KubeVirt's files are the bare openAPIV3Schema block; the external-snapshotter files are whole CRDs (version v1).
        if (doc?["openAPIV3Schema"] is JsonObject bare) return bare;
        return StorageVersion(doc)?["schema"]?["openAPIV3Schema"] as JsonObject;
    }

    /// <summary>The v1 entry of a whole CRD's spec.versions.</summary>
    public static JsonObject? StorageVersion(JsonObject? crd)
        => (crd?["spec"]?["versions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(v => JsonUtil.Str(v["name"]) == "v1");
}
