using System.Text.Json.Nodes;
using VmSnapshot.Lab.Json;

namespace VmSnapshot.Lab.Api;

/// <summary>
/// metadata.managedFields, coarsely: which manager owns which leaf fields (maps are walked, lists are atomic),
/// as FieldsV1 ("f:spec": {"f:runStrategy": {}}). Writes take ownership of the fields they change (operation
/// Update); server-side apply owns exactly the fields of its configuration (operation Apply), removes fields
/// it applied before and no longer applies, and conflicts (409) on fields another manager owns with a
/// different value, unless force=true. Status is not tracked.
/// </summary>
internal static class ManagedFields
{
    private sealed record Entry(string Manager, string Operation, string ApiVersion, string? Time, HashSet<string> Paths)
    {
        public HashSet<string> Paths { get; set; } = Paths;
    }

    /// <summary>The apiserver's default manager for non-apply writes: the User-Agent up to the first '/'.</summary>
    public static string DefaultManager(string? userAgent, string? fieldManager)
        => !string.IsNullOrEmpty(fieldManager) ? fieldManager : (userAgent ?? "unknown").Split('/')[0];

    /// <summary>Records that manager changed the fields that differ between before (null on create) and after.</summary>
    public static void RecordUpdate(JsonObject? before, JsonObject after, string manager, string apiVersion)
    {
        // A client may rewrite managedFields itself (kubectl's client-side-apply upgrade does): then its list is the base.
        // One that sends none keeps the live list (decodeLiveOrNew in fieldmanager: clients that do not know
        // managedFields must not wipe them).
        bool clientSet = before != null && after["metadata"]?["managedFields"] is JsonArray { Count: > 0 }
            && !JsonNode.DeepEquals(before["metadata"]?["managedFields"], after["metadata"]?["managedFields"]);
        List<Entry> entries = Read(before == null || clientSet ? after : before);
        HashSet<string> newPaths = Paths(after);
        HashSet<string> oldPaths = before == null ? [] : Paths(before);
        HashSet<string> changed = newPaths.Where(p => before == null || !JsonNode.DeepEquals(Get(before, p), Get(after, p))).ToHashSet();
        HashSet<string> removed = oldPaths.Except(newPaths).ToHashSet();
        if (changed.Count == 0 && removed.Count == 0)
        {
            // Nothing changed: managedFieldsUpdater.Update leaves the list (and its times) as it was.
            if (before == null || clientSet) Write(after, entries);
            else if (before["metadata"]?["managedFields"] is { } live) JsonUtil.Obj(after, "metadata")["managedFields"] = live.DeepClone();
            else (after["metadata"] as JsonObject)?.Remove("managedFields");
            return;
        }
        foreach (Entry e in entries) e.Paths = e.Paths.Except(changed).Except(removed).ToHashSet();
        Entry? mine = entries.FirstOrDefault(e => e.Manager == manager && e.Operation == "Update");
        if (mine == null) entries.Add(mine = new Entry(manager, "Update", apiVersion, JsonUtil.Now(), []));
        entries.Remove(mine);
        entries.Add(mine with { Time = JsonUtil.Now(), ApiVersion = apiVersion, Paths = mine.Paths.Union(changed).ToHashSet() });
        Write(after, entries.Where(e => e.Paths.Count > 0).ToList());
    }

    /// <summary>
    /// Server-side apply of config onto live (null when creating). Throws the 409 ApplyConflict. An apply that
    /// changes no field keeps the manager's old time, so the stored bytes stay the same and the store drops the
    /// write (no new resourceVersion, no MODIFIED event): managedFieldsUpdater.Apply in k8s.io/apiserver
    /// pkg/endpoints/handlers/fieldmanager (staging k8s.io/apimachinery/pkg/util/managedfields/internal/
    /// managedfieldsupdater.go) sets the time only when the object changed; a new manager then gets none.
    /// </summary>
    public static JsonObject Apply(JsonObject? live, JsonObject config, string manager, bool force, string apiVersion)
    {
        JsonObject result = live?.DeepClone().AsObject() ?? new JsonObject();
        List<Entry> entries = live == null ? [] : Read(live);
        HashSet<string> applied = Paths(config);
        List<(Entry Owner, string Path)> conflicts = new();
        foreach (Entry? e in entries.Where(e => !(e.Manager == manager && e.Operation == "Apply")))
        {
            foreach (string? p in e.Paths.Intersect(applied))
                if (!JsonNode.DeepEquals(Get(config, p), Get(result, p))) conflicts.Add((e, p));
        }

        if (conflicts.Count > 0 && !force) throw Conflict(conflicts);
        foreach ((Entry? owner, string? path) in conflicts) owner.Paths.Remove(path);

        Entry? mine = entries.FirstOrDefault(e => e.Manager == manager && e.Operation == "Apply");
        if (mine != null)
        {
            // Fields this manager applied before and now leaves out go away, unless someone else also owns them.
            HashSet<string> others = entries.Where(e => e != mine).SelectMany(e => e.Paths).ToHashSet();
            foreach (string? p in mine.Paths.Except(applied).Where(p => !others.Contains(p))) Remove(result, p);
            entries.Remove(mine);
        }
        foreach (string p in applied) Set(result, p, Get(config, p)!.DeepClone());
        foreach (string key in new[] { "apiVersion", "kind" }) if (config[key] != null) result[key] = config[key]!.DeepClone();
        JsonObject meta = JsonUtil.Obj(result, "metadata");
        foreach (string key in new[] { "name", "namespace", "generateName" })
            if (config["metadata"]?[key] is { } v) meta[key] = v.DeepClone();
        bool changed = live == null || !SameIgnoringManagedFields(live, result);
        entries.Add(new Entry(manager, "Apply", apiVersion, changed ? JsonUtil.Now() : mine?.Time, applied));
        Write(result, entries.Where(e => e.Paths.Count > 0).ToList());
        return result;
    }

    private static bool SameIgnoringManagedFields(JsonObject a, JsonObject b)
    {
        static JsonObject Strip(JsonObject o)
        {
            JsonObject copy = o.DeepClone().AsObject();
            (copy["metadata"] as JsonObject)?.Remove("managedFields");
            return copy;
        }
        return JsonNode.DeepEquals(Strip(a), Strip(b));
    }

    private static ApiException Conflict(List<(Entry Owner, string Path)> conflicts)
    {
        static string Who(Entry e) => e.Operation == "Update" ? $"\"{e.Manager}\" using {e.ApiVersion} at {e.Time}" : $"\"{e.Manager}\"";
        static string Dotted(string p) => string.Concat(p.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(s => "." + Unescape(s)));
        string message;
        if (conflicts.Count == 1)
        {
            message = $"Apply failed with 1 conflict: conflict with {Who(conflicts[0].Owner)}: {Dotted(conflicts[0].Path)}";
        }
        else
        {
            IEnumerable<string> lines = conflicts.GroupBy(c => Who(c.Owner)).OrderBy(g => g.Key, StringComparer.Ordinal)
                .SelectMany(g => new[] { $"conflicts with {g.Key}" }.Concat(g.Select(c => "- " + Dotted(c.Path))));
            message = $"Apply failed with {conflicts.Count} conflicts: {string.Join("\n", lines)}";
        }
        JsonArray causes = new(conflicts.Select(c => (JsonNode)new JsonObject
        {
            ["reason"] = "FieldManagerConflict", ["message"] = $"conflict with {Who(c.Owner)}", ["field"] = Dotted(c.Path),
        }).ToArray());
        JsonObject status = Errors.Status(409, "Conflict", message, new JsonObject { ["causes"] = causes });
        return new ApiException(409, status);
    }

    // ---- field paths: "/spec/runStrategy", "/metadata/labels/app" (JSON-pointer escaping) ----

    private static HashSet<string> Paths(JsonObject obj)
    {
        HashSet<string> set = new(StringComparer.Ordinal);
        foreach ((string key, JsonNode? value) in obj)
        {
            if (key is "apiVersion" or "kind" or "status") continue;
            if (key == "metadata")
            {
                if (value is not JsonObject meta) continue;
                foreach (string m in new[] { "labels", "annotations" })
                {
                    if (meta[m] is JsonObject map)
                        foreach ((string k, JsonNode? _) in map) set.Add($"/metadata/{m}/{Escape(k)}");
                }

                foreach (string m in new[] { "finalizers", "ownerReferences" })
                    if (meta[m] != null) set.Add($"/metadata/{m}");
                continue;
            }
            Walk(value, "/" + Escape(key), set);
        }
        return set;
    }

    private static void Walk(JsonNode? node, string prefix, HashSet<string> set)
    {
        if (node is JsonObject o && o.Count > 0)
            foreach ((string k, JsonNode? v) in o) Walk(v, prefix + "/" + Escape(k), set);
        else set.Add(prefix);
    }

    private static string Escape(string s) => s.Replace("~", "~0").Replace("/", "~1");
    private static string Unescape(string s) => s.Replace("~1", "/").Replace("~0", "~");

    private static JsonNode? Get(JsonObject obj, string path)
    {
        JsonNode? cur = obj;
        foreach (string seg in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            cur = (cur as JsonObject)?[Unescape(seg)];
            if (cur == null) return null;
        }
        return cur;
    }

    private static void Set(JsonObject obj, string path, JsonNode value)
    {
        string[] segs = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Unescape).ToArray();
        JsonObject cur = obj;
        foreach (string? seg in segs[..^1]) cur = JsonUtil.Obj(cur, seg);
        cur[segs[^1]] = value;
    }

    private static void Remove(JsonObject obj, string path)
    {
        string[] segs = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Unescape).ToArray();
        List<JsonObject> chain = new() { obj };
        foreach (string? seg in segs[..^1])
        {
            if (chain[^1][seg] is not JsonObject next) return;
            chain.Add(next);
        }
        chain[^1].Remove(segs[^1]);
        // Drop maps the removal emptied (but never the top-level sections).
        for (int i = chain.Count - 1; i >= 2; i--)
            if (chain[i].Count == 0) chain[i - 1].Remove(segs[i - 1]);
    }

    // ---- FieldsV1 <-> path sets ----

    private static List<Entry> Read(JsonObject obj)
    {
        List<Entry> list = new();
        foreach (JsonObject e in (obj["metadata"]?["managedFields"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (JsonUtil.Str(e["subresource"]) != null) continue; // status managers are not tracked
            HashSet<string> paths = new(StringComparer.Ordinal);
            FromFieldsV1(e["fieldsV1"] as JsonObject, "", paths);
            list.Add(new Entry(JsonUtil.Str(e["manager"]) ?? "", JsonUtil.Str(e["operation"]) ?? "Update", JsonUtil.Str(e["apiVersion"]) ?? "",
                JsonUtil.Str(e["time"]), paths));
        }
        return list;
    }

    private static void FromFieldsV1(JsonObject? node, string prefix, HashSet<string> paths)
    {
        if (node == null) return;
        List<KeyValuePair<string, JsonNode?>> children = node.Where(p => p.Key.StartsWith("f:", StringComparison.Ordinal)).ToList();
        if (children.Count == 0 && prefix.Length > 0) { paths.Add(prefix); return; }
        foreach ((string key, JsonNode? value) in children) FromFieldsV1(value as JsonObject, prefix + "/" + Escape(key[2..]), paths);
    }

    private static void Write(JsonObject obj, List<Entry> entries)
    {
        JsonObject meta = JsonUtil.Obj(obj, "metadata");
        IEnumerable<JsonNode> status = (meta["managedFields"] as JsonArray ?? []).OfType<JsonObject>().Where(e => JsonUtil.Str(e["subresource"]) != null).Select(e => (JsonNode)e.DeepClone());
        JsonArray array = new(entries.Select(e =>
        {
            JsonObject entry = new()
            {
                ["apiVersion"] = e.ApiVersion, ["fieldsType"] = "FieldsV1", ["fieldsV1"] = ToFieldsV1(e.Paths),
                ["manager"] = e.Manager, ["operation"] = e.Operation,
            };
            if (e.Time != null) entry["time"] = e.Time;
            return (JsonNode)entry;
        }).Concat(status).ToArray());
        if (array.Count == 0) meta.Remove("managedFields");
        else meta["managedFields"] = array;
    }

    private static JsonObject ToFieldsV1(IEnumerable<string> paths)
    {
        JsonObject root = new();
        foreach (string? path in paths.OrderBy(p => p, StringComparer.Ordinal))
        {
            JsonObject cur = root;
            foreach (string seg in path.Split('/', StringSplitOptions.RemoveEmptyEntries)) cur = JsonUtil.Obj(cur, "f:" + Unescape(seg));
        }
        return root;
    }
}
