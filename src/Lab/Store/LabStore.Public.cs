using System.Text.Json.Nodes;
using VmSnapshot.Lab.Api;
using VmSnapshot.Lab.Json;

namespace VmSnapshot.Lab.Store;

// Direct, in-process access for tests, seeding and (later) the emulated controllers. These calls skip
// authentication and the status-subresource split: they write the whole object, status included, but
// they still go through the same write path, so clients see ordinary ADDED/MODIFIED/DELETED events.
public sealed partial class LabStore
{
    /// <summary>The object, or null. resource is a plural, short name, Kind or "plural.group".</summary>
    public JsonObject? Get(string resource, string? ns, string name)
    {
        ResourceType type = Catalog.Resolve(resource);
        return Find(type, type.Namespaced ? ns : null, name)?.ToJson();
    }

    /// <summary>All objects of a type, optionally in one namespace, in name order.</summary>
    /// <summary>
    /// Adds a field index to a resource type (once; indexing what is stored now), e.g. snapshots by their source VM.
    /// <paramref name="values"/> sees each object as stored and returns the values to find it by.
    /// </summary>
    public void AddIndex(string resource, string indexName, Func<JsonObject, IEnumerable<string>> values)
    {
        ResourceType type = Catalog.Resolve(resource);
        lock (_gate)
        {
            TypeTable table = _tables[type];
            if (table.Indexes.ContainsKey(indexName)) return;
            FieldIndex index = new(values);
            foreach (StoredObject stored in table.Objects.Values) index.Set(stored.Key, stored.Namespace, stored.ToJson());
            table.Indexes[indexName] = index;
        }
    }

    /// <summary>The names of the objects of <paramref name="ns"/> whose index value is <paramref name="value"/>.</summary>
    public IReadOnlyList<string> Lookup(string resource, string indexName, string? ns, string value)
    {
        ResourceType type = Catalog.Resolve(resource);
        lock (_gate)
        {
            TypeTable table = _tables[type];
            return table.Indexes.TryGetValue(indexName, out FieldIndex? index)
                ? index.Find(ns, value).Select(k => table.Objects.TryGetValue(k, out StoredObject? o) ? o.Name : null).OfType<string>().ToArray()
                : throw new InvalidOperationException($"No index '{indexName}' on {resource}.");
        }
    }

    public IReadOnlyList<JsonObject> List(string resource, string? ns = null)
    {
        ResourceType type = Catalog.Resolve(resource);
        return Snapshot(type, out _).Values.Where(o => ns == null || o.Namespace == ns).Select(o => o.ToJson()).ToList();
    }

    /// <summary>Number of objects of a type (cheap; no copies).</summary>
    public int Count(string resource) => Snapshot(Catalog.Resolve(resource), out _).Count;

    /// <summary>
    /// Adds an object as a scenario would: status, uid and creationTimestamp are kept when given, and a
    /// missing namespace is created. The type comes from apiVersion and kind. Throws AlreadyExists.
    /// </summary>
    public JsonObject Seed(JsonObject obj) => Add(obj, createsNamespace: true);

    /// <summary>
    /// Creates an object as a controller does (status, uid and creationTimestamp kept when given) in a namespace that
    /// must exist: a controller creating in a deleted namespace gets NotFound, as the apiserver answers it, instead of
    /// bringing the namespace back as a new, empty one. Throws AlreadyExists.
    /// </summary>
    public JsonObject Create(JsonObject obj) => Add(obj, createsNamespace: false);

    private JsonObject Add(JsonObject obj, bool createsNamespace)
    {
        string apiVersion = JsonUtil.Str(obj["apiVersion"]) ?? throw new ArgumentException("apiVersion is missing");
        string kind = JsonUtil.Str(obj["kind"]) ?? throw new ArgumentException("kind is missing");
        ResourceType type = Catalog.FindByApiVersionKind(apiVersion, kind) ?? throw new ArgumentException($"The lab does not serve {kind} in {apiVersion}.");
        string name = JsonUtil.Str(obj["metadata"]?["name"]) ?? throw new ArgumentException("metadata.name is missing");
        string? ns = type.Namespaced ? JsonUtil.Str(obj["metadata"]?["namespace"]) ?? "default" : null;
        JsonObject copy = obj.DeepClone().AsObject();
        return Write(type, ns, name, current => current == null ? copy : throw Errors.AlreadyExists(type, name),
            new WriteOptions { Seed = true, CreatesNamespace = createsNamespace }).Object!.ToJson();
    }

    /// <summary>Changes an object in place (spec, metadata and status alike) and returns it as stored. Throws NotFound.</summary>
    public JsonObject Update(string resource, string? ns, string name, Action<JsonObject> mutate)
    {
        (WriteResult result, JsonObject? unchanged) = Modify(resource, ns, name, mutate);
        return unchanged ?? result.Object!.ToJson();
    }

    /// <summary>
    /// <see cref="Update"/> for a caller that does not read the result, as most controller writes do: it spares
    /// parsing the stored version once more.
    /// </summary>
    internal void Change(string resource, string? ns, string name, Action<JsonObject> mutate) => Modify(resource, ns, name, mutate);

    private (WriteResult Result, JsonObject? Unchanged) Modify(string resource, string? ns, string name, Action<JsonObject> mutate)
    {
        ResourceType type = Catalog.Resolve(resource);
        JsonObject? unchanged = null;
        WriteResult result = Write(type, type.Namespaced ? ns : null, name, current =>
        {
            if (current == null) throw Errors.NotFound(type, name);
            JsonObject copy = current.ToJson();
            mutate(copy);
            if (!JsonUtil.HasContent(copy, Schemas.SchemaCatalog.For(type), current.Json)) return copy;
            unchanged = copy;
            return Unchanged;
        }, s_knownChange);
        return (result, unchanged);
    }

    /// <summary>What <see cref="Modify"/> hands to a write: its copy was compared with the stored version already.</summary>
    private static readonly WriteOptions s_knownChange = new() { DiffersFromCurrent = true };

    /// <summary>Deletes like a client would (finalizers honoured). Returns false when the object did not exist.</summary>
    public bool Delete(string resource, string? ns, string name, string? propagationPolicy = null)
    {
        ResourceType type = Catalog.Resolve(resource);
        try
        {
            Delete(type, type.Namespaced ? ns : null, name, new DeleteRequest(propagationPolicy));
            return true;
        }
        catch (ApiException ex) when (ex.Code == 404) { return false; }
    }

    /// <summary>Subscribes to changes of one type, from now (null), from "0" (current state first) or after resourceVersion N.</summary>
    public WatchSubscription Watch(string resource, long? fromResourceVersion = null)
    {
        ResourceType type = Catalog.Resolve(resource);
        if (fromResourceVersion == null)
        {
            lock (_gate) return Subscribe(type, _resourceVersion, bookmarks: false);
        }
        return Subscribe(type, fromResourceVersion, bookmarks: false);
    }
}
