using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VmSnapshot.Lab.Json;

/// <summary>JSON helpers shared by the store and the API handlers.</summary>
internal static class JsonUtil
{
    /// <summary>No HTML escaping: last-applied-configuration annotations stay readable, like kubectl shows them.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    public static readonly JsonSerializerOptions SerializerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [ThreadStatic] private static ArrayBufferWriter<byte>? s_buffer;
    [ThreadStatic] private static Utf8JsonWriter? s_writer;

    /// <remarks>
    /// One buffer and writer per thread, reset between uses: every store write serializes at least once, and a
    /// writer over a new MemoryStream zeroes its buffer and copies it again on each flush (a tenth of the
    /// controllers' time in a fleet snapshot, build.ps1 -Task Bench).
    /// </remarks>
    public static byte[] ToBytes(JsonNode node)
    {
        ArrayBufferWriter<byte> buffer = s_buffer ??= new ArrayBufferWriter<byte>(16 * 1024);
        buffer.ResetWrittenCount();
        Utf8JsonWriter writer = s_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        node.WriteTo(writer);
        writer.Flush();
        byte[] bytes = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > MaxKeptBuffer)
        {
            // A table of thousands of rows or the OpenAPI document: not worth keeping per thread.
            s_buffer = null;
            s_writer = null;
        }

        return bytes;
    }

    private const int MaxKeptBuffer = 1 << 20;

    public static string ToText(JsonNode node) => node.ToJsonString(SerializerOptions);

    public static JsonObject ParseObject(byte[] utf8) => JsonNode.Parse(utf8)!.AsObject();

    /// <summary>
    /// Returns a copy with object keys sorted ordinally and nulls removed, the way the apiserver stores an
    /// unstructured object (Go's encoding/json sorts map keys). It makes no-op detection a byte comparison.
    /// With a structural schema, a null stays where the schema says nullable: true, as apiextensions-apiserver
    /// prunes only the other nulls (pkg/apiserver/schema/defaulting prunenulls.go PruneNonNullableNullsWithoutDefaults);
    /// so KubeVirt's conditions keep "lastProbeTime": null.
    /// </summary>
    public static JsonNode? Canonical(JsonNode? node, JsonObject? schema = null)
    {
        switch (node)
        {
            case JsonObject obj:
                JsonObject sorted = new();
                JsonObject? properties = schema?["properties"] as JsonObject;
                JsonObject? additional = schema?["additionalProperties"] as JsonObject;
                foreach ((string k, JsonNode? v) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    JsonObject? child = properties?[k] as JsonObject ?? additional;
                    if (v == null)
                    {
                        if (child?["nullable"]?.GetValueKind() == JsonValueKind.True) sorted[k] = null;
                        continue;
                    }
                    sorted[k] = Canonical(v, child);
                }
                return sorted;
            case JsonArray arr:
                JsonArray copy = new();
                JsonObject? items = schema?["items"] as JsonObject;
                foreach (JsonNode? item in arr) copy.Add(Canonical(item, items));
                return copy;
            case null:
                return null;
            default:
                return node.DeepClone();
        }
    }

    public static JsonObject Obj(JsonNode parent, string key)
    {
        JsonObject? o = parent[key] as JsonObject;
        if (o == null) { o = new JsonObject(); parent[key] = o; }
        return o;
    }

    public static string? Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out string? s) ? s : null;

    /// <summary>Renders the kind of a value like Go's %T-ish error texts need ("string", "map", ...).</summary>
    public static string Describe(JsonNode? n) => n switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        _ => n.GetValueKind() switch { JsonValueKind.String => "string", JsonValueKind.Number => "number", _ => "boolean" },
    };

    /// <summary>An RFC 3339 timestamp with second precision, as Kubernetes writes them.</summary>
    public static string Now() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Turns a System.Text.Json parse failure into the wording Go's encoding/json would use.</summary>
    public static string GoParseError(byte[] body, JsonException ex)
    {
        string text = System.Text.Encoding.UTF8.GetString(body).TrimEnd();
        if (text.Length == 0 || ex.Message.Contains("end of data", StringComparison.OrdinalIgnoreCase) || ex.Message.Contains("Expected depth to be zero", StringComparison.Ordinal))
            return "unexpected end of JSON input";
        int pos = (int)Math.Min(ex.BytePositionInLine ?? 0, Math.Max(0, text.Length - 1));
        int lineStart = 0;
        for (int i = 0; i < (ex.LineNumber ?? 0); i++) lineStart = text.IndexOf('\n', lineStart) + 1;
        char c = lineStart + pos < text.Length ? text[lineStart + pos] : text[^1];
        return $"invalid character '{c}' looking for beginning of value";
    }
}
