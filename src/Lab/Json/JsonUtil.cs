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

    /// <summary>The object's JSON as written (keys in their order).</summary>
    public static byte[] ToBytes(JsonNode node) => Render(node, canonical: false, null).ToArray();

    /// <summary>
    /// The object's canonical JSON (see <see cref="WriteCanonical"/>) as new bytes: what the store keeps.
    /// </summary>
    public static byte[] ToCanonicalBytes(JsonNode node, JsonObject? schema) => Render(node, canonical: true, schema).ToArray();

    /// <summary>
    /// Whether <paramref name="node"/> has the content of <paramref name="canonical"/>, JSON in canonical form (as the
    /// store keeps it), without making a copy. The node is first written as it is: the parts of a parsed copy nobody
    /// touched are written from the parsed bytes without building their nodes, so an untouched copy matches at once.
    /// Only a copy that differs as written is written again in canonical form (keys sorted, nulls pruned), where a
    /// rebuilt but equal array or object still matches.
    /// </summary>
    public static bool HasContent(JsonNode node, JsonObject? schema, ReadOnlySpan<byte> canonical)
        => Render(node, canonical: false, null).SequenceEqual(canonical) || Render(node, canonical: true, schema).SequenceEqual(canonical);

    /// <remarks>
    /// One buffer and writer per thread, reset between uses: every store write serializes at least once, and a
    /// writer over a new MemoryStream zeroes its buffer and copies it again on each flush (a tenth of the
    /// controllers' time in a fleet snapshot, build.ps1 -Task Bench). The span is valid until the thread renders again.
    /// </remarks>
    private static ReadOnlySpan<byte> Render(JsonNode node, bool canonical, JsonObject? schema)
    {
        ArrayBufferWriter<byte> buffer = s_buffer ??= new ArrayBufferWriter<byte>(16 * 1024);
        buffer.ResetWrittenCount();
        Utf8JsonWriter writer = s_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);
        if (canonical) WriteCanonical(writer, node, schema);
        else node.WriteTo(writer);
        writer.Flush();
        if (buffer.Capacity > MaxKeptBuffer)
        {
            // A table of thousands of rows or the OpenAPI document: not worth keeping per thread.
            s_buffer = null;
            s_writer = null;
        }

        return buffer.WrittenSpan;
    }

    private const int MaxKeptBuffer = 1 << 20;

    public static string ToText(JsonNode node) => node.ToJsonString(SerializerOptions);

    public static JsonObject ParseObject(byte[] utf8) => JsonNode.Parse(utf8)!.AsObject();

    /// <summary>
    /// Writes the node with object keys sorted ordinally and nulls removed, the way the apiserver stores an
    /// unstructured object (Go's encoding/json sorts map keys). It makes no-op detection a byte comparison.
    /// With a structural schema, a null stays where the schema says nullable: true, as apiextensions-apiserver
    /// prunes only the other nulls (pkg/apiserver/schema/defaulting prunenulls.go PruneNonNullableNullsWithoutDefaults);
    /// so KubeVirt's conditions keep "lastProbeTime": null.
    /// </summary>
    /// <remarks>
    /// Written straight to the writer rather than built as a sorted copy and then serialized: that copy was about 16 KB
    /// per store write, and with the other trees the store no longer builds, a 1,000-VM fleet snapshot allocated 4.5 GB
    /// where it now allocates 3.3 GB (build.ps1 -Task Bench, fleet part).
    /// </remarks>
    public static void WriteCanonical(Utf8JsonWriter writer, JsonNode? node, JsonObject? schema)
    {
        switch (node)
        {
            case JsonObject obj:
                JsonObject? properties = schema?["properties"] as JsonObject;
                JsonObject? additional = schema?["additionalProperties"] as JsonObject;
                int count = obj.Count;
                KeyValuePair<string, JsonNode?>[] members = ArrayPool<KeyValuePair<string, JsonNode?>>.Shared.Rent(count);
                try
                {
                    int i = 0;
                    foreach (KeyValuePair<string, JsonNode?> member in obj) members[i++] = member;
                    Array.Sort(members, 0, count, MemberOrder.Instance);
                    writer.WriteStartObject();
                    for (i = 0; i < count; i++)
                    {
                        (string key, JsonNode? value) = members[i];
                        JsonObject? child = properties?[key] as JsonObject ?? additional;
                        if (value == null)
                        {
                            if (child?["nullable"]?.GetValueKind() == JsonValueKind.True) writer.WriteNull(key);
                            continue;
                        }
                        writer.WritePropertyName(key);
                        WriteCanonical(writer, value, child);
                    }
                    writer.WriteEndObject();
                }
                finally
                {
                    Array.Clear(members, 0, count);
                    ArrayPool<KeyValuePair<string, JsonNode?>>.Shared.Return(members);
                }
                break;
            case JsonArray arr:
                JsonObject? items = schema?["items"] as JsonObject;
                writer.WriteStartArray();
                foreach (JsonNode? item in arr) WriteCanonical(writer, item, items);
                writer.WriteEndArray();
                break;
            case null:
                writer.WriteNullValue();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }

    private sealed class MemberOrder : IComparer<KeyValuePair<string, JsonNode?>>
    {
        public static readonly MemberOrder Instance = new();
        public int Compare(KeyValuePair<string, JsonNode?> x, KeyValuePair<string, JsonNode?> y) => string.CompareOrdinal(x.Key, y.Key);
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
