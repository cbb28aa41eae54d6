using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using VmSnapshot.Lab.Api;
using VmSnapshot.Lab.Json;

namespace VmSnapshot.Lab.Schemas;

/// <summary>
/// Structural-schema validation as the apiextensions apiserver does it, with its error wording:
/// type, required, enum, pattern, bounds, date-time, int-or-string, nullable; pruning of unknown fields
/// (unless x-kubernetes-preserve-unknown-fields) and defaulting. metadata is left to the generic checks.
/// </summary>
internal sealed class SchemaValidator
{
    public List<Errors.Cause> Errors { get; } = [];
    /// <summary>Paths of fields the schema does not declare; they have been removed from the object.</summary>
    public List<string> Unknown { get; } = [];

    public static SchemaValidator Run(JsonObject obj, JsonObject schema)
    {
        SchemaValidator v = new();
        foreach ((string key, JsonNode? value) in obj.ToList())
        {
            if (key is "apiVersion" or "kind" or "metadata") continue;
            if (schema["properties"]?[key] is JsonObject propSchema)
            {
                v.Validate(value, propSchema, key, obj, key);
            }
            else if (schema["x-kubernetes-preserve-unknown-fields"]?.GetValueKind() != JsonValueKind.True)
            {
                v.Unknown.Add(key);
                obj.Remove(key);
            }
        }
        v.Required(obj, schema, "");
        return v;
    }

    private void Validate(JsonNode? node, JsonObject schema, string path, JsonNode parent, object keyOrIndex)
    {
        if (node == null)
        {
            if (schema["nullable"]?.GetValueKind() == JsonValueKind.True) return;
            if (JsonUtil.Str(schema["type"]) is { } t) TypeError(path, "null", t);
            return;
        }
        bool intOrString = schema["x-kubernetes-int-or-string"]?.GetValueKind() == JsonValueKind.True;
        string? type = JsonUtil.Str(schema["type"]);
        string actual = ActualType(node);
        if (intOrString)
        {
            if (actual is not ("integer" or "string")) { TypeError(path, actual, "integer-or-string"); return; }
        }
        else if (type != null && !(type == actual || (type == "number" && actual == "integer")))
        {
            TypeError(path, actual, type);
            return;
        }

        switch (node)
        {
            case JsonObject obj:
                bool preserve = schema["x-kubernetes-preserve-unknown-fields"]?.GetValueKind() == JsonValueKind.True;
                JsonObject? props = schema["properties"] as JsonObject;
                JsonNode? additional = schema["additionalProperties"];
                foreach ((string key, JsonNode? value) in obj.ToList())
                {
                    string childPath = path + "." + key;
                    if (props?[key] is JsonObject ps)
                    {
                        Validate(value, ps, childPath, obj, key);
                    }
                    else if (additional is JsonObject aps)
                    {
                        Validate(value, aps, childPath, obj, key);
                    }
                    else if (preserve || additional?.GetValueKind() == JsonValueKind.True || (path.EndsWith(".metadata", StringComparison.Ordinal) && props == null)) { }
                    else
                    {
                        Unknown.Add(childPath);
                        obj.Remove(key);
                    }
                }
                ApplyDefaults(obj, props);
                Required(obj, schema, path);
                break;
            case JsonArray arr:
                if (schema["maxItems"] is JsonValue max && arr.Count > max.GetValue<long>())
                    Errors.Add(new("FieldValueTooMany", path, $"Too many: {arr.Count}: must have at most {max.GetValue<long>()} items"));
                if (schema["minItems"] is JsonValue min && arr.Count < min.GetValue<long>())
                    Errors.Add(new("FieldValueInvalid", path, $"Invalid value: {arr.Count}: {path} in body should have at least {min.GetValue<long>()} items"));
                if (schema["items"] is JsonObject items)
                    for (int i = 0; i < arr.Count; i++) Validate(arr[i], items, $"{path}[{i}]", arr, i);
                break;
            default:
                Scalar((JsonValue)node, schema, path, actual);
                break;
        }
    }

    private void Scalar(JsonValue value, JsonObject schema, string path, string actual)
    {
        string text = actual == "string" ? value.GetValue<string>() : value.ToJsonString();
        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            string list = string.Join(", ", allowed.Select(a => a?.ToJsonString()));
            Errors.Add(new("FieldValueNotSupported", path, $"Unsupported value: {value.ToJsonString()}: supported values: {list}"));
        }
        if (actual == "string")
        {
            if (JsonUtil.Str(schema["pattern"]) is { } pattern && !Regex.IsMatch(text, pattern))
                Errors.Add(new("FieldValueInvalid", path, $"Invalid value: \"{text}\": {path} in body should match '{pattern}'"));
            if (schema["maxLength"] is JsonValue maxLen && text.Length > maxLen.GetValue<long>())
                Errors.Add(new("FieldValueTooLong", path, $"Too long: may not be more than {maxLen.GetValue<long>()} bytes"));
            if (JsonUtil.Str(schema["format"]) == "date-time" && !DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _))
                Errors.Add(new("FieldValueInvalid", path, $"Invalid value: \"{text}\": {path} in body must be of type date-time: \"{text}\""));
        }
        if (actual is "integer" or "number")
        {
            // The JSON text, not GetValue<double>: the schema's bounds (and values the lab wrote in-process) may hold a long.
            static double Number(JsonValue v) => double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture);
            double number = Number(value);
            if (schema["minimum"] is JsonValue minimum && number < Number(minimum))
                Errors.Add(new("FieldValueInvalid", path, $"Invalid value: {text}: {path} in body should be greater than or equal to {minimum.ToJsonString()}"));
            if (schema["maximum"] is JsonValue maximum && number > Number(maximum))
                Errors.Add(new("FieldValueInvalid", path, $"Invalid value: {text}: {path} in body should be less than or equal to {maximum.ToJsonString()}"));
        }
    }

    private void Required(JsonObject obj, JsonObject schema, string path)
    {
        if (schema["required"] is not JsonArray required) return;
        foreach (string? r in required.Select(x => x?.ToString() ?? ""))
            if (!obj.ContainsKey(r)) Errors.Add(new("FieldValueRequired", path.Length == 0 ? r : $"{path}.{r}", "Required value"));
    }

    private static void ApplyDefaults(JsonObject obj, JsonObject? props)
    {
        if (props == null) return;
        foreach ((string key, JsonNode? ps) in props)
            if (!obj.ContainsKey(key) && ps?["default"] is { } d) obj[key] = d.DeepClone();
    }

    private void TypeError(string path, string actual, string expected)
        => Errors.Add(new("FieldValueInvalid", path, $"Invalid value: \"{actual}\": {path} in body must be of type {expected}: \"{actual}\""));

    private static string ActualType(JsonNode node) => node switch
    {
        JsonObject => "object",
        JsonArray => "array",
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => IsInteger((JsonValue)node) ? "integer" : "number",
            _ => "null",
        },
    };

    private static bool IsInteger(JsonValue v) => v.TryGetValue<long>(out _) || (v.TryGetValue<double>(out double d) && Math.Floor(d) == d && !v.ToJsonString().Contains('.'));
}
