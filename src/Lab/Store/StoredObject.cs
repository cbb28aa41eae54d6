using System.Text.Json;
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
    /// <summary>Reads the metadata the store needs from the JSON itself, so no writer has to keep a tree for it.</summary>
    internal StoredObject(ResourceType type, byte[] json)
    {
        Type = type;
        Json = json;
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement meta = document.RootElement.TryGetProperty("metadata"u8, out JsonElement m) && m.ValueKind == JsonValueKind.Object ? m : default;
        Name = StringOf(meta, "name"u8) ?? "";
        Namespace = StringOf(meta, "namespace"u8);
        Uid = StringOf(meta, "uid"u8) ?? "";
        ResourceVersion = long.TryParse(StringOf(meta, "resourceVersion"u8), out long rv) ? rv : 0;
        Labels = Member(meta, "labels"u8) is { ValueKind: JsonValueKind.Object } labels
            ? labels.EnumerateObject().Where(p => p.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Null))
                .ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText())
            : new Dictionary<string, string>();
        Finalizers = Member(meta, "finalizers"u8) is { ValueKind: JsonValueKind.Array } f
            ? f.EnumerateArray().Select(x => x.ValueKind switch { JsonValueKind.String => x.GetString()!, JsonValueKind.Null => "", _ => x.GetRawText() }).ToArray()
            : [];
        Deleting = Member(meta, "deletionTimestamp"u8) is { ValueKind: not JsonValueKind.Null };
        Owners = Member(meta, "ownerReferences"u8) is { ValueKind: JsonValueKind.Array } refs
            ? refs.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.Object)
                .Select(r => new OwnerRef(StringOf(r, "uid"u8) ?? "", Member(r, "blockOwnerDeletion"u8)?.ValueKind == JsonValueKind.True)).ToArray()
            : [];
    }

    private static JsonElement? Member(JsonElement obj, ReadOnlySpan<byte> name)
        => obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out JsonElement value) ? value : null;

    private static string? StringOf(JsonElement obj, ReadOnlySpan<byte> name)
        => Member(obj, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

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
