using System.Collections.Immutable;

namespace VmSnapshot.Lab.Store;

/// <summary>
/// The objects of one resource type. The map is immutable: a list takes the current reference and walks it
/// without holding the store lock, and a continue token finds the exact snapshot its first page came from.
/// </summary>
internal sealed class TypeTable(int historySize, int snapshotCount)
{
    public static readonly ImmutableSortedDictionary<string, StoredObject> Empty = ImmutableSortedDictionary.Create<string, StoredObject>(StringComparer.Ordinal);

    public ImmutableSortedDictionary<string, StoredObject> Objects = Empty;

    /// <summary>Recent snapshots by the resourceVersion at which each became current (for list continue).</summary>
    public readonly LinkedList<(long Rv, ImmutableSortedDictionary<string, StoredObject> Map)> Snapshots = new([(0L, Empty)]);

    /// <summary>Recent events of this type for watches from a resourceVersion (the apiserver's watch cache).</summary>
    public readonly Queue<WatchEvent> History = new();

    /// <summary>Events with a resourceVersion at or below this are gone from history: watching from older gives 410.</summary>
    public long CompactedRv;

    public readonly List<WatchSubscription> Watchers = [];

    /// <summary>Field indexes of this type by name (see <see cref="LabStore.AddIndex"/>).</summary>
    public readonly Dictionary<string, FieldIndex> Indexes = new(StringComparer.Ordinal);

    /// <summary>Brings every index up to date with the object now stored under its key.</summary>
    public void Reindex(StoredObject stored, System.Text.Json.Nodes.JsonObject json)
    {
        foreach (FieldIndex index in Indexes.Values) index.Set(stored.Key, stored.Namespace, json);
    }

    /// <summary>Removes an object that is gone from every index.</summary>
    public void Unindex(string key)
    {
        foreach (FieldIndex index in Indexes.Values) index.Remove(key);
    }

    public void Replace(ImmutableSortedDictionary<string, StoredObject> map, long rv)
    {
        Objects = map;
        Snapshots.AddLast((rv, map));
        while (Snapshots.Count > snapshotCount) Snapshots.RemoveFirst();
    }

    /// <summary>Drops every kept map but the current one.</summary>
    public void ForgetSnapshots()
    {
        while (Snapshots.Count > 1) Snapshots.RemoveFirst();
    }

    public void Record(WatchEvent e)
    {
        History.Enqueue(e);
        while (History.Count > historySize) CompactedRv = History.Dequeue().ResourceVersion;
        foreach (WatchSubscription w in Watchers) w.Publish(e);
    }

    /// <summary>The map as it was at resourceVersion rv, or null when that snapshot is no longer kept.</summary>
    public ImmutableSortedDictionary<string, StoredObject>? At(long rv)
    {
        ImmutableSortedDictionary<string, StoredObject>? found = null;
        foreach ((long at, ImmutableSortedDictionary<string, StoredObject>? map) in Snapshots)
        {
            if (at <= rv) found = map;
            else break;
        }
        return found;
    }
}
