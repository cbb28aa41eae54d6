using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using VmSnapshot.Lab.Api;
using VmSnapshot.Lab.Json;

namespace VmSnapshot.Lab.Store;

/// <summary>How a write changed the store.</summary>
public enum ChangeKind { None, Created, Updated, Deleted }

/// <summary>The outcome of a write: the object as stored (or as it was when it disappeared).</summary>
public sealed record WriteResult(ChangeKind Kind, StoredObject? Object, StoredObject? Previous);

/// <summary>
/// The lab's etcd plus the generic registry rules: one global resourceVersion counter, uid and
/// creationTimestamp on create, generation on spec changes, no-op detection, finalizer-gated deletion,
/// watch fan-out with a bounded per-type history, and an ownerReferences garbage collector.
/// All writes happen under one lock, which keeps the event order equal to the resourceVersion order.
/// </summary>
public sealed partial class LabStore : IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<ResourceType, TypeTable> _tables = new();
    private readonly Dictionary<string, StoredObject> _byUid = new(StringComparer.Ordinal);
    private readonly int _historySize;
    private readonly Timer _bookmarkTimer;
    private readonly Channel<bool> _gcSignal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _disposing = new();
    private readonly Task _gcLoop;
    private long _resourceVersion;

    internal LabStore(ResourceCatalog catalog, int historySize = 1000, TimeSpan? bookmarkInterval = null)
    {
        Catalog = catalog;
        catalog.Seal();
        this._historySize = historySize;
        foreach (ResourceType t in catalog.All) _tables[t] = new TypeTable(historySize, ListSnapshotsKept);
        TimeSpan interval = bookmarkInterval ?? TimeSpan.FromSeconds(10);
        _bookmarkTimer = new Timer(_ => SendBookmarks(), null, interval, interval);
        _gcLoop = Task.Run(GarbageCollectorLoopAsync);
    }

    public ResourceCatalog Catalog { get; }

    /// <summary>Validating/mutating admission webhooks of client creates and updates, registered by add-ons.</summary>
    public AdmissionChain Admission { get; } = new();

    /// <summary>API groups an extension apiserver serves rather than the store, registered by add-ons.</summary>
    public AggregatedApis AggregatedApis { get; } = new();

    /// <summary>The global resourceVersion: every persisted change (including deletions) increments it.</summary>
    public long ResourceVersion { get { lock (_gate) return _resourceVersion; } }

    internal ImmutableSortedDictionary<string, StoredObject> Snapshot(ResourceType type, out long rv)
    {
        lock (_gate)
        {
            rv = _resourceVersion;
            return _tables[type].Objects;
        }
    }

    /// <summary>
    /// How many versions of a kind's object map a continue token can still page through. A real continue token
    /// lasts until etcd compacts its resourceVersion, every 5 minutes by default (kube-apiserver
    /// --etcd-compaction-interval, k8s.io/apiserver pkg/storage/storagebackend/factory/etcd3.go startCompactorOnce).
    /// The lab counts writes instead of minutes to bound memory (each kept version holds only the tree nodes and
    /// object versions it does not share): 4,096 writes to one kind is several minutes of a busy namespace, where 64
    /// expired a paged list of 1,000 snapshots within a second of a fleet snapshot, which no real cluster does.
    /// </summary>
    internal const int ListSnapshotsKept = 4096;

    /// <summary>Keeps only each kind's current map for list continues (after seeding, before anyone listed).</summary>
    internal void ForgetListSnapshots()
    {
        lock (_gate)
        {
            foreach (TypeTable table in _tables.Values) table.ForgetSnapshots();
        }
    }

    /// <summary>The objects of a type as of resourceVersion rv, or null when that snapshot was dropped (continue too old).</summary>
    internal ImmutableSortedDictionary<string, StoredObject>? SnapshotAt(ResourceType type, long rv)
    {
        lock (_gate) return _tables[type].At(rv);
    }

    internal StoredObject? Find(ResourceType type, string? ns, string name)
    {
        lock (_gate) return _tables[type].Objects.GetValueOrDefault(StoredObject.KeyOf(ns, name));
    }

    internal bool NamespaceExists(string ns)
    {
        lock (_gate) return NamespaceExistsLocked(ns);
    }

    private bool NamespaceExistsLocked(string ns)
        => _tables[Catalog.Resolve("namespaces")].Objects.ContainsKey(StoredObject.KeyOf(null, ns));

    internal sealed class WriteOptions
    {
        public bool DryRun { get; init; }
        /// <summary>Seeding: keep uid, creationTimestamp, generation and deletion fields as given.</summary>
        public bool Seed { get; init; }
        /// <summary>With <see cref="Seed"/>: a missing namespace is created (a scenario's); controllers' creates leave it missing.</summary>
        public bool CreatesNamespace { get; init; }
        /// <summary>The delete path may set deletionTimestamp; ordinary updates may not.</summary>
        public bool SetsDeletion { get; init; }
        /// <summary>A client create/update of the main resource: the admission webhooks (<see cref="Admission"/>) review it.</summary>
        public bool Admit { get; init; }
        /// <summary>
        /// The decide function returned a copy of the current version that differs from it as written (or
        /// <see cref="Unchanged"/>): unless the copy changed a system field, which the update puts back, the update
        /// need not compare it again.
        /// </summary>
        public bool DiffersFromCurrent { get; init; }
    }

    /// <summary>
    /// What a decide function of <see cref="Write"/> returns for a copy whose content is what is stored
    /// (<see cref="JsonUtil.HasContent"/>): no write, as below, without the rest of the update path. Half the
    /// controllers' updates in a fleet snapshot are such no-ops.
    /// </summary>
    internal static readonly JsonObject Unchanged = new();

    /// <summary>
    /// The one write path. <paramref name="decide"/> runs under the store lock, sees the current version and
    /// returns the desired object (null = remove); it may throw an ApiException to refuse.
    /// </summary>
    internal WriteResult Write(ResourceType type, string? ns, string name, Func<StoredObject?, JsonObject?> decide, WriteOptions? options = null)
    {
        options ??= new WriteOptions();
        lock (_gate)
        {
            TypeTable table = _tables[type];
            string key = StoredObject.KeyOf(ns, name);
            StoredObject? current = table.Objects.GetValueOrDefault(key);
            JsonObject? desired = decide(current);
            if (ReferenceEquals(desired, Unchanged)) return new WriteResult(ChangeKind.None, current, current);
            if (desired == null)
                return current == null ? new WriteResult(ChangeKind.None, null, null) : RemoveLocked(table, current, options.DryRun);

            JsonObject meta = JsonUtil.Obj(desired, "metadata");
            meta["name"] = name;
            if (ns != null) meta["namespace"] = ns; else meta.Remove("namespace");
            desired["apiVersion"] = type.StorageApiVersion;
            desired["kind"] = type.Kind;
            if (options.Admit) Admission.Review(type, current, desired, options.DryRun);

            return current == null
                ? CreateLocked(type, table, ns, desired, meta, options)
                : UpdateLocked(type, table, current, desired, meta, options);
        }
    }

    private WriteResult CreateLocked(ResourceType type, TypeTable table, string? ns, JsonObject desired, JsonObject meta, WriteOptions options)
    {
        if (ns != null && !NamespaceExistsLocked(ns))
        {
            if (!options.Seed || !options.CreatesNamespace) throw Errors.NamespaceNotFound(ns);
            ResourceType nsType = Catalog.Resolve("namespaces");
            JsonObject nsObject = NewNamespace(ns);
            CreateLocked(nsType, _tables[nsType], null, nsObject, (JsonObject)nsObject["metadata"]!, new WriteOptions());
        }
        if (!options.Seed || JsonUtil.Str(meta["uid"]) == null) meta["uid"] = Guid.NewGuid().ToString();
        if (!options.Seed || JsonUtil.Str(meta["creationTimestamp"]) == null) meta["creationTimestamp"] = JsonUtil.Now();
        if (type.HasGeneration) { if (!options.Seed || meta["generation"] == null) meta["generation"] = 1L; }
        else
        {
            meta.Remove("generation");
        }

        if (!options.Seed) { meta.Remove("deletionTimestamp"); meta.Remove("deletionGracePeriodSeconds"); }
        meta.Remove("selfLink");

        long rv = _resourceVersion + 1;
        meta["resourceVersion"] = options.DryRun ? null : rv.ToString();
        StoredObject stored = Materialize(type, desired);
        if (options.DryRun) return new WriteResult(ChangeKind.Created, stored, null);

        _resourceVersion = rv;
        table.Replace(table.Objects.SetItem(stored.Key, stored), rv);
        table.Reindex(stored, desired);
        _byUid[stored.Uid] = stored;
        JournalCreation(stored);
        table.Record(new WatchEvent("ADDED", stored, null, rv));
        return new WriteResult(ChangeKind.Created, stored, null);
    }

    private static JsonObject NewNamespace(string ns) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = new JsonObject { ["name"] = ns, ["labels"] = new JsonObject { ["kubernetes.io/metadata.name"] = ns } },
        ["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") },
        ["status"] = new JsonObject { ["phase"] = "Active" },
    };

    private WriteResult UpdateLocked(ResourceType type, TypeTable table, StoredObject current, JsonObject desired, JsonObject meta, WriteOptions options)
    {
        // The stored version is read where it lies, never built as a tree: an update only needs a few of its fields.
        using JsonDocument oldDocument = JsonDocument.Parse(current.Json);
        JsonElement old = oldDocument.RootElement;
        JsonElement oldMeta = old.GetProperty("metadata"u8);
        JsonObject? schema = Schemas.SchemaCatalog.For(type);
        bool differs = options.DiffersFromCurrent && SystemFieldsAsStored(meta, oldMeta);

        // System fields are the server's: a client cannot change them with an update.
        meta["uid"] = ValueOf(oldMeta, "uid"u8);
        meta["creationTimestamp"] = ValueOf(oldMeta, "creationTimestamp"u8);
        meta.Remove("selfLink");
        if (!options.SetsDeletion || current.Deleting)
        {
            meta["deletionTimestamp"] = ValueOf(oldMeta, "deletionTimestamp"u8);
            meta["deletionGracePeriodSeconds"] = ValueOf(oldMeta, "deletionGracePeriodSeconds"u8);
        }
        string[] newFinalizers = meta["finalizers"] is JsonArray fa ? fa.Select(x => x?.ToString() ?? "").ToArray() : [];
        if (meta["finalizers"] is JsonArray { Count: 0 }) meta.Remove("finalizers");
        if (current.Deleting && !options.Seed)
        {
            string[] added = newFinalizers.Except(current.Finalizers).ToArray();
            if (added.Length > 0)
            {
                throw Errors.Invalid(type, current.Name, new Errors.Cause("FieldValueForbidden", "metadata.finalizers",
                    $"Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{{{string.Join(", ", added.Select(a => $"\"{a}\""))}}}"));
            }
        }

        if (type.HasGeneration)
        {
            long generation = oldMeta.TryGetProperty("generation"u8, out JsonElement g) && g.TryGetInt64(out long n) ? n : 1L;
            if (!options.Seed && SpecChanged(current.Json, desired, schema)) generation++;
            if (!current.Deleting && meta["deletionTimestamp"] != null) generation++;
            if (!options.Seed || meta["generation"] == null) meta["generation"] = generation;
        }
        else
        {
            meta.Remove("generation");
        }

        // A write that changes nothing is no write: same bytes, no resourceVersion bump, no event.
        meta["resourceVersion"] = current.ResourceVersion.ToString();
        if (!differs && JsonUtil.HasContent(desired, schema, current.Json)) return new WriteResult(ChangeKind.None, current, current);

        long rv = _resourceVersion + 1;
        meta["resourceVersion"] = rv.ToString();
        StoredObject stored = new(type, JsonUtil.ToCanonicalBytes(desired, schema));
        bool finished = stored.Deleting && stored.Finalizers.Length == 0;
        if (options.DryRun) return new WriteResult(finished ? ChangeKind.Deleted : ChangeKind.Updated, stored, current);

        _resourceVersion = rv;
        if (finished)
        {
            // The last finalizer is gone from a deleting object: it disappears now.
            table.Replace(table.Objects.Remove(current.Key), rv);
            table.Unindex(current.Key);
            _byUid.Remove(current.Uid);
            table.Record(new WatchEvent("DELETED", stored, current, rv));
            SignalGarbageCollector();
            return new WriteResult(ChangeKind.Deleted, stored, current);
        }
        table.Replace(table.Objects.SetItem(stored.Key, stored), rv);
        table.Reindex(stored, desired);
        _byUid[stored.Uid] = stored;
        table.Record(new WatchEvent("MODIFIED", stored, current, rv));
        if (stored.Deleting) SignalGarbageCollector();
        return new WriteResult(ChangeKind.Updated, stored, current);
    }

    private WriteResult RemoveLocked(TypeTable table, StoredObject current, bool dryRun)
    {
        if (dryRun) return new WriteResult(ChangeKind.Deleted, current, current);
        long rv = ++_resourceVersion;
        // The DELETED event carries the object's last state with the resourceVersion of the deletion.
        JsonObject last = current.ToJson();
        last["metadata"]!["resourceVersion"] = rv.ToString();
        StoredObject final = Materialize(current.Type, last);
        table.Replace(table.Objects.Remove(current.Key), rv);
        table.Unindex(current.Key);
        _byUid.Remove(current.Uid);
        table.Record(new WatchEvent("DELETED", final, current, rv));
        SignalGarbageCollector();
        return new WriteResult(ChangeKind.Deleted, final, current);
    }

    /// <summary>
    /// generation moves when anything outside metadata and status changed. Each such part is compared in canonical
    /// form against the stored bytes, which are canonical already.
    /// </summary>
    private static bool SpecChanged(ReadOnlySpan<byte> old, JsonObject desired, JsonObject? schema)
    {
        static bool Tracked(string key) => key is not ("metadata" or "status" or "apiVersion" or "kind");
        JsonObject? properties = schema?["properties"] as JsonObject;
        int trackedInOld = 0;
        Utf8JsonReader reader = new(old);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string key = reader.GetString()!;
            reader.Read();
            int start = (int)reader.TokenStartIndex;
            reader.Skip();
            if (!Tracked(key)) continue;
            trackedInOld++;
            if (!desired.TryGetPropertyValue(key, out JsonNode? value) || value == null) return true;
            if (!JsonUtil.HasContent(value, properties?[key] as JsonObject, old[start..(int)reader.BytesConsumed])) return true;
        }
        // Every tracked part of the old version is in the new one, equal; one more in the new one is a change.
        return desired.Count(p => Tracked(p.Key) && p.Value != null) != trackedInOld;
    }

    /// <summary>
    /// Whether the copy carries every system field the update resets as the stored version has it (and no empty
    /// finalizer list, which the update drops): then the reset cannot make a changed copy equal to what is stored.
    /// </summary>
    private static bool SystemFieldsAsStored(JsonObject meta, JsonElement oldMeta)
    {
        ReadOnlySpan<string> names = ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "resourceVersion", "selfLink"];
        foreach (string name in names)
        {
            // A false "differs" only costs the full comparison; a false "same" cannot happen.
            JsonNode? stored = oldMeta.TryGetProperty(name, out JsonElement value) ? NodeOf(value) : null;
            if (!JsonNode.DeepEquals(meta[name], stored)) return false;
        }
        return meta["finalizers"] is not JsonArray { Count: 0 };
    }

    /// <summary>A copy of a scalar field of the stored version, or null where it has none.</summary>
    private static JsonNode? ValueOf(JsonElement obj, ReadOnlySpan<byte> name)
        => obj.TryGetProperty(name, out JsonElement value) ? NodeOf(value) : null;

    private static JsonNode? NodeOf(JsonElement value)
        => value.ValueKind switch
        {
            JsonValueKind.String => JsonValue.Create(value.GetString()),
            JsonValueKind.Number => value.TryGetInt64(out long n) ? JsonValue.Create(n) : JsonValue.Create(value.GetDouble()),
            JsonValueKind.Null => null,
            _ => JsonNode.Parse(value.GetRawText()),
        };

    private static StoredObject Materialize(ResourceType type, JsonObject obj)
        => new(type, JsonUtil.ToCanonicalBytes(obj, Schemas.SchemaCatalog.For(type)));

    /// <summary>
    /// Registers a watch. fromRv null (or 0) replays the current objects as ADDED; N replays history after N
    /// and throws a 410 Expired ApiException when N is older than the kept history.
    /// </summary>
    internal WatchSubscription Subscribe(ResourceType type, long? fromRv, bool bookmarks)
    {
        lock (_gate)
        {
            TypeTable table = _tables[type];
            WatchSubscription sub = new(type, bookmarks, s => { lock (_gate) table.Watchers.Remove(s); });
            if (fromRv is null or 0)
            {
                sub.Initial = table.Objects.Values.Select(o => new WatchEvent("ADDED", o, null, o.ResourceVersion)).ToList();
            }
            else
            {
                if (fromRv < table.CompactedRv)
                    throw Errors.Expired($"too old resource version: {fromRv} ({table.CompactedRv + 1})");
                sub.Initial = table.History.Where(e => e.ResourceVersion > fromRv).ToList();
            }
            table.Watchers.Add(sub);
            return sub;
        }
    }

    private void SendBookmarks()
    {
        lock (_gate)
        {
            foreach (TypeTable table in _tables.Values)
            {
                foreach (WatchSubscription w in table.Watchers)
                    if (w.Bookmarks) w.Publish(new WatchEvent("BOOKMARK", null, null, _resourceVersion));
            }
        }
    }

    /// <summary>Watches currently open (HTTP watches and in-process subscriptions).</summary>
    public int OpenWatchCount
    {
        get { lock (_gate) return _tables.Values.Sum(t => t.Watchers.Count); }
    }

    /// <summary>Forgets the watch history of every type, as an etcd compaction would: older watches get 410.</summary>
    public void CompactWatchHistory()
    {
        lock (_gate)
        {
            foreach (TypeTable t in _tables.Values)
            {
                t.History.Clear();
                t.CompactedRv = _resourceVersion;
            }
        }
    }

    /// <summary>Ends every open watch (the lab is stopping).</summary>
    internal void CloseWatches()
    {
        lock (_gate)
        {
            foreach (TypeTable t in _tables.Values)
                foreach (WatchSubscription w in t.Watchers) w.Complete();
        }
    }

    public void Dispose()
    {
        _disposing.Cancel();
        _bookmarkTimer.Dispose();
        CloseWatches();
        _gcSignal.Writer.TryComplete();
        try { _gcLoop.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
        _disposing.Dispose();
    }
}
