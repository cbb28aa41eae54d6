using System.Collections.Immutable;
using System.Text.Json.Nodes;
using VmSnapshot.Lab.Api;
using VmSnapshot.Lab.Json;

namespace VmSnapshot.Lab.Store;

// The lab as a witness: what a script created, changed and deleted between two points. Objects that exist at
// both points are compared by content; objects created and deleted in between are found in a small creation
// journal that is only kept once someone has taken a checkpoint, so a lab nobody watches pays nothing.
public sealed partial class LabStore
{
    /// <summary>The most creations the journal keeps; a checkpoint older than that can no longer be answered.</summary>
    internal const int JournalCapacity = 200_000;

    private List<JournalEntry>? _creations;
    private int _journalDropped;

    private readonly record struct JournalEntry(ResourceType Type, string? Namespace, string Name, string Uid);

    /// <summary>Marks the current state of every type; pass the mark to <see cref="ChangesSince"/> later.</summary>
    public StoreCheckpoint Checkpoint()
    {
        lock (_gate)
        {
            _creations ??= [];
            Dictionary<ResourceType, ImmutableSortedDictionary<string, StoredObject>> maps = _tables.ToDictionary(t => t.Key, t => t.Value.Objects);
            return new StoreCheckpoint(_resourceVersion, _journalDropped + _creations.Count, maps);
        }
    }

    /// <summary>
    /// Every object created, updated or deleted since the checkpoint, in kind, namespace and name order. An object
    /// whose uid changed was replaced: it is reported as the old uid Deleted and the new one Created.
    /// metadata.resourceVersion and metadata.managedFields never count as a change; with ignoreStatus, neither does
    /// anything under status (controllers' progress reports).
    /// </summary>
    public IReadOnlyList<StoreChange> ChangesSince(StoreCheckpoint checkpoint, bool ignoreStatus = false)
    {
        Dictionary<ResourceType, ImmutableSortedDictionary<string, StoredObject>> now;
        List<JournalEntry> created;
        lock (_gate)
        {
            if (_creations == null || checkpoint.JournalPosition < _journalDropped)
                throw new InvalidOperationException("The checkpoint is older than the change journal the lab keeps; take a new checkpoint.");
            now = _tables.ToDictionary(t => t.Key, t => t.Value.Objects);
            created = _creations.GetRange(checkpoint.JournalPosition - _journalDropped, _creations.Count - (checkpoint.JournalPosition - _journalDropped));
        }

        List<StoreChange> changes = new();
        HashSet<string> seenUids = new(StringComparer.Ordinal);
        foreach ((ResourceType? type, ImmutableSortedDictionary<string, StoredObject>? current) in now)
        {
            ImmutableSortedDictionary<string, StoredObject> before = checkpoint.Maps.GetValueOrDefault(type) ?? TypeTable.Empty;
            if (ReferenceEquals(before, current)) continue;
            foreach ((string? key, StoredObject? old) in before)
            {
                seenUids.Add(old.Uid);
                if (!current.TryGetValue(key, out StoredObject? obj))
                {
                    changes.Add(Change(StoreChangeKind.Deleted, old));
                }
                else if (obj.Uid != old.Uid)
                {
                    changes.Add(Change(StoreChangeKind.Deleted, old));
                    changes.Add(Change(StoreChangeKind.Created, obj));
                }
                else if (!ReferenceEquals(obj, old))
                {
                    List<string> paths = ChangedPaths(old.ToJson(), obj.ToJson(), ignoreStatus);
                    if (paths.Count > 0) changes.Add(Change(StoreChangeKind.Updated, obj, paths));
                }
            }
            foreach ((string? key, StoredObject? obj) in current)
            {
                seenUids.Add(obj.Uid);
                if (!before.ContainsKey(key)) changes.Add(Change(StoreChangeKind.Created, obj));
            }
        }
        foreach (JournalEntry entry in created.Where(e => !seenUids.Contains(e.Uid)))
            changes.Add(new StoreChange(StoreChangeKind.CreatedAndDeleted, entry.Type, entry.Namespace, entry.Name, entry.Uid, []));

        return changes
            .OrderBy(c => c.Type.Kind, StringComparer.Ordinal)
            .ThenBy(c => c.Namespace ?? "", StringComparer.Ordinal)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .ThenBy(c => c.Kind == StoreChangeKind.Deleted ? 0 : 1) // a replaced object reads as "old gone, new made"
            .ToList();
    }

    /// <summary>Journals a creation (under the store lock) while anyone may ask for changes.</summary>
    private void JournalCreation(StoredObject stored)
    {
        if (_creations == null) return;
        _creations.Add(new JournalEntry(stored.Type, stored.Namespace, stored.Name, stored.Uid));
        if (_creations.Count > JournalCapacity)
        {
            int drop = _creations.Count - JournalCapacity / 2;
            _creations.RemoveRange(0, drop);
            _journalDropped += drop;
        }
    }

    private static StoreChange Change(StoreChangeKind kind, StoredObject obj, IReadOnlyList<string>? paths = null)
        => new(kind, obj.Type, obj.Namespace, obj.Name, obj.Uid, paths ?? []);

    /// <summary>The dotted paths where two versions differ: objects are walked, arrays and scalars compared whole.</summary>
    internal static List<string> ChangedPaths(JsonObject before, JsonObject after, bool ignoreStatus)
    {
        List<string> paths = new();
        Walk(before, after, "", paths);
        return paths.Where(p => !IsIgnored(p, ignoreStatus)).ToList();
    }

    private static bool IsIgnored(string path, bool ignoreStatus)
        => path is "metadata.resourceVersion" || path.StartsWith("metadata.managedFields", StringComparison.Ordinal)
           || (ignoreStatus && (path == "status" || path.StartsWith("status.", StringComparison.Ordinal)));

    private static void Walk(JsonObject before, JsonObject after, string prefix, List<string> paths)
    {
        foreach (string? key in before.Select(p => p.Key).Union(after.Select(p => p.Key)).OrderBy(k => k, StringComparer.Ordinal))
        {
            string path = prefix.Length == 0 ? key : prefix + "." + key;
            JsonNode? a = before[key];
            JsonNode? b = after[key];
            if (a is JsonObject ao && b is JsonObject bo) Walk(ao, bo, path, paths);
            else if (!JsonNode.DeepEquals(a, b)) paths.Add(path);
        }
    }
}
