using System.Text.Json.Nodes;

namespace VmSnapshot.Lab.Json;

/// <summary>How a list field merges under a strategic merge patch: its patchStrategy and patchMergeKey struct tags.</summary>
internal sealed record ListStrategy(string? MergeKey, bool RetainKeys = false);

/// <summary>
/// Strategic merge patch (application/strategic-merge-patch+json) for built-in kinds, after
/// k8s.io/apimachinery/pkg/util/strategicpatch/patch.go with the options the apiserver's patcher uses
/// (StrategicMergeMapPatchUsingLookupPatchMeta: MergeParallelList and IgnoreUnmatchedNulls). Maps merge key by
/// key (null deletes); a list whose field has patchStrategy "merge" merges (scalars: union without duplicates;
/// maps: by patchMergeKey, element by element); every other list is replaced. Directives: "$patch"
/// (replace/delete, in maps and list elements), "$retainKeys", "$deleteFromPrimitiveList/&lt;field&gt;" and
/// "$setElementOrder/&lt;field&gt;" (kubectl apply sends the last two for built-ins). Merged lists are ordered as
/// normalizeElementOrder orders them: patch items in patch order, server-only items in their old order.
/// No NuGet package implements this (KubernetesClient only sends patches), hence this port of the rules.
/// </summary>
internal static class StrategicMergePatch
{
    private const string Directive = "$patch";
    private const string RetainKeys = "$retainKeys";
    private const string DeleteFromPrimitiveList = "$deleteFromPrimitiveList/";
    private const string SetElementOrder = "$setElementOrder/";

    /// <summary>Applies patch to original. strategyOf maps a field path ("spec.containers", list indices left out) to its strategy, or null (atomic).</summary>
    public static JsonObject Apply(JsonObject original, JsonObject patch, Func<string, ListStrategy?> strategyOf)
        => MergeMap(original.DeepClone().AsObject(), patch.DeepClone().AsObject(), "", strategyOf);

    private static JsonObject MergeMap(JsonObject original, JsonObject patch, string path, Func<string, ListStrategy?> strategyOf)
    {
        if (patch[Directive] is { } directive)
        {
            switch (directive.GetValueKind() == System.Text.Json.JsonValueKind.String ? directive.GetValue<string>() : null)
            {
                case "replace":
                    patch.Remove(Directive);
                    return StripNulls(patch);
                case "delete":
                    return new JsonObject();
                default:
                    throw new PatchException($"Unexpected patch type in {Describe(patch)}");
            }
        }

        if (patch[RetainKeys] is { } retain)
        {
            if (retain is not JsonArray keys) throw new PatchException("invalid patch: retainKeys must be a list", true);
            HashSet<string?> keep = keys.Select(k => k?.ToString()).ToHashSet();
            foreach (string? key in original.Select(p => p.Key).Where(k => !keep.Contains(k)).ToList()) original.Remove(key);
            patch.Remove(RetainKeys);
        }

        // "$setElementOrder/field" merges the field's list and orders the result (mergePatchIntoOriginal).
        foreach (string? key in patch.Select(p => p.Key).Where(k => k.StartsWith(SetElementOrder, StringComparison.Ordinal)).ToList())
        {
            string field = key[SetElementOrder.Length..];
            if (patch[key] is not JsonArray order) throw new PatchException($"invalid patch: {key} must be a list", true);
            string fieldPath = Join(path, field);
            ListStrategy? strategy = strategyOf(fieldPath);
            JsonArray originalList = original[field] as JsonArray ?? [];
            JsonArray patchList = patch[field] as JsonArray ?? [];
            JsonArray merged = strategy != null ? MergeList(originalList, patchList, fieldPath, strategy, strategyOf, order) : patchList;
            original[field] = merged.DeepClone();
            patch.Remove(key);
            patch.Remove(field);
        }

        foreach ((string key, JsonNode? value) in patch.ToList())
        {
            if (key.StartsWith(DeleteFromPrimitiveList, StringComparison.Ordinal))
            {
                string field = key[DeleteFromPrimitiveList.Length..];
                if (value is not JsonArray remove) throw new PatchException($"invalid patch: {key} must be a list", true);
                if (original[field] is JsonArray list)
                {
                    List<JsonNode?> drop = remove.ToList();
                    original[field] = new JsonArray(list.Where(v => !drop.Any(d => JsonNode.DeepEquals(d, v))).Select(v => v?.DeepClone()).ToArray());
                }
                continue;
            }
            if (value == null)
            {
                original.Remove(key);
                continue;
            }
            JsonNode? current = original[key];
            if (current == null)
            {
                original[key] = value is JsonObject o ? MergeMap(new JsonObject(), o.DeepClone().AsObject(), Join(path, key), strategyOf)
                    : value is JsonArray a ? MergeList([], a, Join(path, key), strategyOf(Join(path, key)), strategyOf, null)
                    : value.DeepClone();
                continue;
            }
            if (current is JsonObject co && value is JsonObject vo)
                original[key] = MergeMap(co.DeepClone().AsObject(), vo.DeepClone().AsObject(), Join(path, key), strategyOf);
            else if (current is JsonArray ca && value is JsonArray va && strategyOf(Join(path, key)) is { } strategy)
                original[key] = MergeList(ca, va, Join(path, key), strategy, strategyOf, null);
            else original[key] = value is JsonArray replaced ? MergeList([], replaced, Join(path, key), null, strategyOf, null) : value.DeepClone();
        }
        return original;
    }

    /// <summary>mergeSlice: a list with patchStrategy merge (strategy null: the patch replaces the list).</summary>
    private static JsonArray MergeList(JsonArray original, JsonArray patch, string path, ListStrategy? strategy, Func<string, ListStrategy?> strategyOf, JsonArray? order)
    {
        List<JsonNode?> patchItems = patch.Select(x => x?.DeepClone()).ToList();
        bool isMapList = patchItems.Concat(original).Any(x => x is JsonObject);
        if (strategy == null)
        {
            // Replaced, but directives inside element maps still apply to nothing: drop them.
            return new JsonArray(patchItems.Select(x => x is JsonObject o ? (JsonNode)MergeMap(new JsonObject(), o, path, strategyOf) : x).ToArray());
        }

        if (!isMapList)
        {
            // Scalars: union, first occurrence kept.
            List<JsonNode?> merged = new();
            foreach (JsonNode? item in original.Select(x => x?.DeepClone()).Concat(patchItems))
                if (!merged.Any(m => JsonNode.DeepEquals(m, item))) merged.Add(item);
            return Order(merged, order ?? patch, original, null);
        }

        string key = strategy.MergeKey ?? throw new PatchException($"merging an object in a list but no merge key found for {path}");
        List<JsonNode?> result = original.Select(x => x?.DeepClone()).ToList();
        List<JsonNode?> plain = new();
        bool replace = false;
        foreach (JsonNode? item in patchItems)
        {
            if (item is not JsonObject element) throw new PatchException($"invalid patch: {path} mixes maps and other values", true);
            if (element[Directive] is not { } d)
            {
                plain.Add(element);
                continue;
            }
            switch (d.ToString())
            {
                case "delete":
                    JsonNode value = element[key] ?? throw new PatchException($"map: {Describe(element)} does not contain declared merge key: {key}");
                    result.RemoveAll(o => o is JsonObject m && JsonNode.DeepEquals(m[key], value));
                    break;
                case "replace":
                    replace = true;
                    break;
                case "merge":
                    throw new PatchException("merging lists cannot yet be specified in the patch");
                default:
                    throw new PatchException($"Unexpected patch type in {Describe(element)}");
            }
        }
        if (replace) return new JsonArray(plain.Select(p => (JsonNode?)MergeMap(new JsonObject(), (JsonObject)p!, path, strategyOf)).ToArray());

        foreach (JsonObject item in plain.Cast<JsonObject>())
        {
            JsonNode value = item[key] ?? throw new PatchException($"map: {Describe(item)} does not contain declared merge key: {key}");
            int index = result.FindIndex(o => o is JsonObject m && JsonNode.DeepEquals(m[key], value));
            if (index >= 0) result[index] = MergeMap(((JsonObject)result[index]!).DeepClone().AsObject(), item.DeepClone().AsObject(), path, strategyOf);
            else result.Add(MergeMap(new JsonObject(), item.DeepClone().AsObject(), path, strategyOf));
        }
        return Order(result, order ?? new JsonArray(plain.Select(p => p?.DeepClone()).ToArray()), original, key);
    }

    /// <summary>
    /// normalizeElementOrder: items named by the patch (or its $setElementOrder) in that order, server-only items in
    /// their original order, interleaved by mergeSortedSlice.
    /// </summary>
    private static JsonArray Order(List<JsonNode?> merged, JsonArray patchOrder, JsonArray serverOrder, string? key)
    {
        int IndexIn(JsonArray list, JsonNode? item)
        {
            for (int i = 0; i < list.Count; i++)
                if (key == null ? JsonNode.DeepEquals(list[i], item) : list[i] is JsonObject o && item is JsonObject m && JsonNode.DeepEquals(o[key], m[key])) return i;
            return -1;
        }
        List<JsonNode?> fromPatch = merged.Where(m => IndexIn(patchOrder, m) >= 0).ToList();
        List<JsonNode?> serverOnly = merged.Where(m => IndexIn(patchOrder, m) < 0).ToList();
        fromPatch = StableSort(fromPatch, m => IndexIn(patchOrder, m));
        serverOnly = StableSort(serverOnly, m => IndexIn(serverOrder, m));

        JsonArray result = new();
        int i = 0, j = 0;
        while (i < serverOnly.Count || j < fromPatch.Count)
        {
            if (i >= serverOnly.Count)
            {
                result.Add(fromPatch[j++]?.DeepClone());
            }
            else if (j >= fromPatch.Count)
            {
                result.Add(serverOnly[i++]?.DeepClone());
            }
            else
            {
                int li = IndexIn(serverOrder, serverOnly[i]);
                int ri = IndexIn(serverOrder, fromPatch[j]);
                if (li >= 0 && ri >= 0 && li < ri) result.Add(serverOnly[i++]?.DeepClone());
                else result.Add(fromPatch[j++]?.DeepClone());
            }
        }
        return result;
    }

    /// <summary>normalizeSliceOrder's sort.SliceStable: items found in the order by their index, the rest kept after.</summary>
    private static List<JsonNode?> StableSort(List<JsonNode?> items, Func<JsonNode?, int> index)
        => items.Select((item, position) => (item, position, rank: index(item)))
            .OrderBy(x => x.rank < 0 ? int.MaxValue : x.rank).ThenBy(x => x.position).Select(x => x.item).ToList();

    /// <summary>IgnoreUnmatchedNulls: a null for a field that does not exist is dropped.</summary>
    private static JsonObject StripNulls(JsonObject o)
    {
        foreach (string? key in o.Where(p => p.Value == null).Select(p => p.Key).ToList()) o.Remove(key);
        return o;
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    private static string Describe(JsonNode node) => "map" + node.ToJsonString();
}
