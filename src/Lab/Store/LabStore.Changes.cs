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

    private List<JournalEntry>? creations;
    private int journalDropped;

    private readonly record struct JournalEntry(ResourceType Type, string? Namespace, string Name, string Uid);

    /// <summary>Marks the current state of every type; pass the mark to <see cref="ChangesSince"/> later.</summary>
    public StoreCheckpoint Checkpoint()
    {
        lock (gate)
        {
            creations ??= [];
            var maps = tables.ToDictionary(t => t.Key, t => t.Value.Objects);
            return new StoreCheckpoint(resourceVersion, journalDropped + creations.Count, maps);
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
        lock (gate)
        {
            if (creations == null || checkpoint.JournalPosition < journalDropped)
                throw new InvalidOperationException("The checkpoint is older than the change journal the lab keeps; take a new checkpoint.");
            now = tables.ToDictionary(t => t.Key, t => t.Value.Objects);
            created = creations.GetRange(checkpoint.JournalPosition - journalDropped, creations.Count - (checkpoint.JournalPosition - journalDropped));
        }

        var changes = new List<StoreChange>();
        var seenUids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (type, current) in now)
        {
            var before = checkpoint.Maps.GetValueOrDefault(type) ?? TypeTable.Empty;
            if (ReferenceEquals(before, current)) continue;
            foreach (var (key, old) in before)
            {
                seenUids.Add(old.Uid);
                if (!current.TryGetValue(key, out var obj))
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
                    var paths = ChangedPaths(old.ToJson(), obj.ToJson(), ignoreStatus);
                    if (paths.Count > 0) changes.Add(Change(StoreChangeKind.Updated, obj, paths));
                }
            }
            foreach (var (key, obj) in current)
            {
                seenUids.Add(obj.Uid);
                if (!before.ContainsKey(key)) changes.Add(Change(StoreChangeKind.Created, obj));
            }
        }
        foreach (var entry in created.Where(e => !seenUids.Contains(e.Uid)))
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
        if (creations == null) return;
        creations.Add(new JournalEntry(stored.Type, stored.Namespace, stored.Name, stored.Uid));
        if (creations.Count > JournalCapacity)
        {
            var drop = creations.Count - JournalCapacity / 2;
            creations.RemoveRange(0, drop);
            journalDropped += drop;
        }
    }

    private static StoreChange Change(StoreChangeKind kind, StoredObject obj, IReadOnlyList<string>? paths = null)
        => new(kind, obj.Type, obj.Namespace, obj.Name, obj.Uid, paths ?? []);

    /// <summary>The dotted paths where two versions differ: objects are walked, arrays and scalars compared whole.</summary>
    internal static List<string> ChangedPaths(JsonObject before, JsonObject after, bool ignoreStatus)
    {
        var paths = new List<string>();
        Walk(before, after, "", paths);
        return paths.Where(p => !IsIgnored(p, ignoreStatus)).ToList();
    }

    private static bool IsIgnored(string path, bool ignoreStatus)
        => path is "metadata.resourceVersion" || path.StartsWith("metadata.managedFields", StringComparison.Ordinal)
           || (ignoreStatus && (path == "status" || path.StartsWith("status.", StringComparison.Ordinal)));

    private static void Walk(JsonObject before, JsonObject after, string prefix, List<string> paths)
    {
        foreach (var key in before.Select(p => p.Key).Union(after.Select(p => p.Key)).OrderBy(k => k, StringComparer.Ordinal))
        {
            var path = prefix.Length == 0 ? key : prefix + "." + key;
            var a = before[key];
            var b = after[key];
            if (a is JsonObject ao && b is JsonObject bo) Walk(ao, bo, path, paths);
            else if (!JsonNode.DeepEquals(a, b)) paths.Add(path);
        }
    }
}
