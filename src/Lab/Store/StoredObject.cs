using System.Text.Json.Nodes;
using VmSnapshot.Lab.Api;
using VmSnapshot.Lab.Json;

namespace VmSnapshot.Lab.Store;

/// <summary>
/// One immutable version of an object: its canonical JSON bytes (served as they are, so big lists cost no
/// re-serialization) plus the metadata the store needs for selectors, GC and finalizers. Writers never
/// mutate it; they parse a copy (<see cref="ToJson"/>) and store a new version.
/// </summary>
public sealed class StoredObject
{
    internal StoredObject(ResourceType type, JsonObject canonical, byte[] json)
    {
        Type = type;
        Json = json;
        JsonObject meta = canonical["metadata"] as JsonObject ?? new JsonObject();
        Name = JsonUtil.Str(meta["name"]) ?? "";
        Namespace = JsonUtil.Str(meta["namespace"]);
        Uid = JsonUtil.Str(meta["uid"]) ?? "";
        ResourceVersion = long.TryParse(JsonUtil.Str(meta["resourceVersion"]), out long rv) ? rv : 0;
        Labels = meta["labels"] is JsonObject labels
            ? labels.Where(p => p.Value is JsonValue).ToDictionary(p => p.Key, p => p.Value!.ToString())
            : new Dictionary<string, string>();
        Finalizers = meta["finalizers"] is JsonArray f ? f.Select(x => x?.ToString() ?? "").ToArray() : [];
        Deleting = meta["deletionTimestamp"] != null;
        Owners = meta["ownerReferences"] is JsonArray refs
            ? refs.OfType<JsonObject>().Select(r => new OwnerRef(JsonUtil.Str(r["uid"]) ?? "", r["blockOwnerDeletion"]?.GetValueKind() == System.Text.Json.JsonValueKind.True)).ToArray()
            : [];
    }

    public ResourceType Type { get; }
    public string Name { get; }
    public string? Namespace { get; }
    public string Uid { get; }
    public long ResourceVersion { get; }
    public IReadOnlyDictionary<string, string> Labels { get; }
    internal byte[] Json { get; }
    internal string[] Finalizers { get; }
    internal bool Deleting { get; }
    internal OwnerRef[] Owners { get; }

    internal string Key => KeyOf(Namespace, Name);
    internal static string KeyOf(string? ns, string name) => (ns ?? "") + "/" + name;

    /// <summary>A fresh mutable copy of the object.</summary>
    public JsonObject ToJson() => JsonUtil.ParseObject(Json);

    internal readonly record struct OwnerRef(string Uid, bool BlockOwnerDeletion);
}

/// <summary>A change as a watch sees it. ResourceVersion is the change's; BOOKMARK events carry no object.</summary>
public sealed record WatchEvent(string Type, StoredObject? Object, StoredObject? Previous, long ResourceVersion);
