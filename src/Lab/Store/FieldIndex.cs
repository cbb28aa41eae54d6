using System.Text.Json.Nodes;

namespace VmSnapshot.Lab.Store;

/// <summary>
/// An index over one field of one resource type, kept by the store on every write: which objects of a namespace have
/// a given value. Controllers map a watch event of one kind to the objects of another through it (the snapshots of
/// a VM, the restores targeting it) instead of parsing every object of the namespace, as client-go's indexers serve
/// a real cluster's controllers (k8s.io/client-go/tools/cache/index.go, IndexFunc).
/// </summary>
internal sealed class FieldIndex(Func<JsonObject, IEnumerable<string>> values)
{
    private readonly Dictionary<string, HashSet<string>> _byValue = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[]> _entriesOf = new(StringComparer.Ordinal);

    /// <summary>Indexes (or re-indexes) the object stored under <paramref name="objectKey"/>.</summary>
    public void Set(string objectKey, string? ns, JsonObject obj)
    {
        Remove(objectKey);
        string[] entries = values(obj).Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).Select(v => Entry(ns, v)).ToArray();
        if (entries.Length == 0) return;
        _entriesOf[objectKey] = entries;
        foreach (string entry in entries)
        {
            if (!_byValue.TryGetValue(entry, out HashSet<string>? keys)) _byValue[entry] = keys = new HashSet<string>(StringComparer.Ordinal);
            keys.Add(objectKey);
        }
    }

    /// <summary>Forgets the object stored under <paramref name="objectKey"/>.</summary>
    public void Remove(string objectKey)
    {
        if (!_entriesOf.Remove(objectKey, out string[]? entries)) return;
        foreach (string entry in entries)
        {
            if (_byValue.TryGetValue(entry, out HashSet<string>? keys) && keys.Remove(objectKey) && keys.Count == 0) _byValue.Remove(entry);
        }
    }

    /// <summary>
    /// The keys of the objects in <paramref name="ns"/> with <paramref name="value"/> (a copy), in name order as a
    /// list would give them, so controllers work through them in a repeatable order.
    /// </summary>
    public string[] Find(string? ns, string value) =>
        _byValue.TryGetValue(Entry(ns, value), out HashSet<string>? keys) ? keys.Order(StringComparer.Ordinal).ToArray() : [];

    private static string Entry(string? ns, string value) => (ns ?? "") + "\0" + value;
}
