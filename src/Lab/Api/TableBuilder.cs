using System.Text.Json;
using System.Text.Json.Nodes;
using VmSnapshot.Lab.Json;

namespace VmSnapshot.Lab.Api;

/// <summary>
/// meta.k8s.io/v1 Table responses (what kubectl get asks for): a Name column plus the printer columns, one
/// row per object. Each row carries what ?includeObject asks for: the object's metadata as
/// PartialObjectMetadata (Metadata, the default), the whole object (Object: kubectl --sort-by and
/// custom-columns read it) or nothing (None), as asTable in k8s.io/apiserver
/// pkg/endpoints/handlers/response.go does.
/// </summary>
internal static class TableBuilder
{
    private const string NameDescription = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

    public static bool Wants(string? accept) => accept != null && accept.Contains("as=Table", StringComparison.Ordinal);

    /// <summary>metav1.IncludeObjectPolicy values; "" means Metadata.</summary>
    public const string IncludeNone = "None", IncludeMetadata = "Metadata", IncludeObject = "Object";

    /// <summary>
    /// The includeObject of a Table request, validated like ValidateTableOptions (apimachinery
    /// pkg/apis/meta/v1/validation) and refused as targetEncodingForTransform refuses it.
    /// </summary>
    public static string IncludeObjectPolicy(string? value)
    {
        if (value is null or "" or IncludeMetadata or IncludeNone or IncludeObject) return string.IsNullOrEmpty(value) ? IncludeMetadata : value;
        throw Errors.BadRequest($"Unable to convert to Table as requested: includeObject: Invalid value: \"{value}\": must be 'Metadata', 'Object', 'None', or empty");
    }

    public static JsonArray ColumnDefinitions(ResourceType type)
    {
        JsonArray cols = new(new JsonObject
        {
            ["name"] = "Name", ["type"] = "string", ["format"] = "name", ["description"] = NameDescription, ["priority"] = 0,
        });
        foreach (PrinterColumn c in type.Columns)
        {
            string description = c.Description.Length > 0 ? c.Description
                : c.JsonPath == ".metadata.creationTimestamp" ? "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
                : type.IsCustomResource ? $"Custom resource definition column (in JSONPath format): {c.JsonPath}" : "";
            cols.Add(new JsonObject
            {
                ["name"] = c.Name, ["type"] = c.Type, ["format"] = c.Format, ["description"] = description, ["priority"] = c.Priority,
            });
        }
        return cols;
    }

    /// <summary>One row; obj is the object at the version the client asked for (it becomes the row's object as is).</summary>
    public static JsonObject Row(ResourceType type, JsonObject obj, string includeObject = IncludeMetadata)
    {
        JsonArray cells = new(JsonValue.Create(type.NameCell?.Invoke(obj) ?? JsonUtil.Str(obj["metadata"]?["name"]) ?? ""));
        foreach (PrinterColumn c in type.Columns) cells.Add(Cell(type, c, obj));
        return new JsonObject
        {
            ["cells"] = cells,
            // Go writes the nil RawExtension of IncludeNone as "object":null.
            ["object"] = includeObject switch
            {
                IncludeObject => obj,
                IncludeNone => null,
                _ => new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = obj["metadata"]?.DeepClone(),
                },
            },
        };
    }

    private static JsonNode? Cell(ResourceType type, PrinterColumn column, JsonObject obj)
    {
        if (column.Compute != null) return ToNode(column.Compute(obj));
        JsonNode? value = JsonPathLite.Evaluate(obj, column.JsonPath!);
        if (value == null) return type.IsCustomResource ? null : JsonValue.Create(column.Type == "date" ? "<unknown>" : "");
        switch (column.Type)
        {
            case "date":
                return JsonValue.Create(value is JsonValue v && v.TryGetValue<string>(out string? ts) ? Printing.HumanAge(ts) : "<invalid>");
            case "integer" or "number" or "boolean":
                return value.DeepClone();
            default:
                return JsonValue.Create(value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString());
        }
    }

    private static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        JsonNode n => n.DeepClone(),
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        long l => JsonValue.Create(l),
        int i => JsonValue.Create(i),
        _ => JsonValue.Create(value.ToString()),
    };

    public static JsonObject Table(ResourceType type, IEnumerable<JsonObject> objects, JsonObject listMeta, string includeObject, bool withColumns = true)
    {
        JsonArray rows = new();
        foreach (JsonObject o in objects) rows.Add(Row(type, o, includeObject));
        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = listMeta,
            // The watch encoder omits the headers after the first event; Go then writes null.
            ["columnDefinitions"] = withColumns ? ColumnDefinitions(type) : null,
            ["rows"] = rows,
        };
    }
}
