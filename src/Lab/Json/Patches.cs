using System.Text.Json;
using System.Text.Json.Nodes;

namespace VmSnapshot.Lab.Json;

/// <summary>A patch that cannot be applied; the handler maps it to the apiserver's status for the patch type.</summary>
internal sealed class PatchException(string message, bool invalidPatch = false) : Exception(message)
{
    /// <summary>True when the patch document itself is malformed (400); false when an operation failed (422).</summary>
    public bool InvalidPatch { get; } = invalidPatch;
}

/// <summary>RFC 7386 JSON merge patch.</summary>
internal static class MergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObj) return patch?.DeepClone();
        JsonObject result = target is JsonObject t ? t.DeepClone().AsObject() : new JsonObject();
        foreach ((string key, JsonNode? value) in patchObj)
        {
            if (value == null) result.Remove(key);
            else result[key] = Apply(result[key], value);
        }
        return result;
    }
}

/// <summary>RFC 6902 JSON patch: add, remove, replace, move, copy, test.</summary>
internal static class JsonPatch
{
    public static JsonNode Apply(JsonNode document, JsonArray operations)
    {
        JsonNode doc = document.DeepClone();
        foreach (JsonNode? opNode in operations)
        {
            if (opNode is not JsonObject op) throw new PatchException("invalid JSON patch: operation is not an object", true);
            string kind = JsonUtil.Str(op["op"]) ?? throw new PatchException("Unable to extract op from patch", true);
            string path = JsonUtil.Str(op["path"]) ?? throw new PatchException($"{kind} operation does not apply: doc is missing path: \"\"", true);
            switch (kind)
            {
                case "add": doc = Add(doc, path, Value(op, kind)); break;
                case "remove": doc = Remove(doc, path, out _); break;
                case "replace":
                    doc = Remove(doc, path, out _, "replace");
                    doc = Add(doc, path, Value(op, kind));
                    break;
                case "move":
                    {
                        string from = JsonUtil.Str(op["from"]) ?? throw new PatchException("move operation does not apply: doc is missing from path", true);
                        doc = Remove(doc, from, out JsonNode? moved, "move");
                        doc = Add(doc, path, moved);
                        break;
                    }
                case "copy":
                    {
                        string from = JsonUtil.Str(op["from"]) ?? throw new PatchException("copy operation does not apply: doc is missing from path", true);
                        JsonNode value = Get(doc, from) ?? throw new PatchException($"copy operation does not apply: doc is missing from path: {from}");
                        doc = Add(doc, path, value.DeepClone());
                        break;
                    }
                case "test":
                    {
                        JsonNode? actual = Get(doc, path);
                        if (!JsonNode.DeepEquals(actual, op["value"])) throw new PatchException($"testing value {path} failed: test failed");
                        break;
                    }
                default: throw new PatchException($"Unexpected kind: {kind}", true);
            }
        }
        return doc;
    }

    private static JsonNode? Value(JsonObject op, string kind)
        => op.ContainsKey("value") ? op["value"]?.DeepClone() : throw new PatchException($"{kind} operation does not apply: doc is missing value", true);

    private static string[] Split(string path)
    {
        if (path.Length == 0) return [];
        if (path[0] != '/') throw new PatchException($"add operation does not apply: doc is missing path: \"{path}\"");
        return path[1..].Split('/').Select(p => p.Replace("~1", "/").Replace("~0", "~")).ToArray();
    }

    private static JsonNode? Get(JsonNode doc, string path)
    {
        JsonNode? cur = doc;
        foreach (string part in Split(path))
        {
            cur = cur switch
            {
                JsonObject o => o[part],
                JsonArray a when int.TryParse(part, out int i) && i >= 0 && i < a.Count => a[i],
                _ => null,
            };
            if (cur == null) return null;
        }
        return cur;
    }

    private static JsonNode Add(JsonNode doc, string path, JsonNode? value)
    {
        string[] parts = Split(path);
        if (parts.Length == 0) return value ?? throw new PatchException("add operation does not apply: null document");
        JsonNode? parent = Get(doc, "/" + string.Join('/', parts[..^1].Select(Escape)));
        string last = parts[^1];
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a:
                if (last == "-") a.Add(value);
                else if (int.TryParse(last, out int i) && i >= 0 && i <= a.Count) a.Insert(i, value);
                else throw new PatchException($"add operation does not apply: doc is missing path: \"{path}\": missing value");
                break;
            default:
                throw new PatchException($"add operation does not apply: doc is missing path: \"{path}\": missing value");
        }
        return doc;
    }

    private static JsonNode Remove(JsonNode doc, string path, out JsonNode? removed, string kind = "remove")
    {
        string[] parts = Split(path);
        JsonNode? parent = parts.Length == 0 ? null : Get(doc, "/" + string.Join('/', parts[..^1].Select(Escape)));
        string last = parts.Length == 0 ? "" : parts[^1];
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last):
                removed = o[last];
                o.Remove(last);
                return doc;
            case JsonArray a when int.TryParse(last, out int i) && i >= 0 && i < a.Count:
                removed = a[i];
                a.RemoveAt(i);
                return doc;
            default:
                throw new PatchException($"{kind} operation does not apply: doc is missing path: \"{path}\": missing value");
        }
    }

    private static string Escape(string part) => part.Replace("~", "~0").Replace("/", "~1");

    public static JsonArray ParseOperations(byte[] body)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(body); }
        catch (JsonException ex) { throw new PatchException(JsonUtil.GoParseError(body, ex), true); }
        return node as JsonArray ?? throw new PatchException("json: cannot unmarshal object into Go value of type jsonpatch.Patch", true);
    }
}
