using System.Text;
using System.Text.Json.Nodes;

namespace VmSnapshot.Lab.Api;

/// <summary>
/// kubectl's typed clients send some built-in objects as protobuf ("k8s\0" + runtime.Unknown{typeMeta=1, raw=2}):
/// `auth can-i` (SelfSubjectAccessReview, SelfSubjectRulesReview) and `create namespace`. This reads just those into their JSON
/// shape; the answer goes back as JSON, which those clients accept. Field numbers are from k8s.io/api generated.proto.
/// </summary>
internal static class ProtobufBodies
{
    private static readonly byte[] s_magic = "k8s\0"u8.ToArray();

    public static bool IsProtobuf(byte[] body) => body.AsSpan().StartsWith(s_magic);

    /// <summary>The raw object inside the envelope.</summary>
    private static Dictionary<int, List<byte[]>> Raw(byte[] body)
    {
        Dictionary<int, List<byte[]>> unknown = Fields(body.AsSpan(s_magic.Length).ToArray());
        return Fields(First(unknown, 2) ?? throw Errors.BadRequest("protobuf envelope has no raw object"));
    }

    /// <summary>SelfSubjectAccessReview {metadata=1, spec=2{resourceAttributes=1{namespace=1 verb=2 group=3 version=4 resource=5 subresource=6 name=7}, nonResourceAttributes=2{path=1 verb=2}}}.</summary>
    public static JsonObject AccessReview(byte[] body)
    {
        Dictionary<int, List<byte[]>> review = Raw(body);
        JsonObject spec = new();
        if (First(review, 2) is { } specBytes)
        {
            Dictionary<int, List<byte[]>> s = Fields(specBytes);
            if (First(s, 1) is { } ra) spec["resourceAttributes"] = Strings(Fields(ra), "", "namespace", "verb", "group", "version", "resource", "subresource", "name");
            if (First(s, 2) is { } nra) spec["nonResourceAttributes"] = Strings(Fields(nra), "", "path", "verb");
        }
        return new JsonObject { ["apiVersion"] = "authorization.k8s.io/v1", ["kind"] = "SelfSubjectAccessReview", ["spec"] = spec };
    }

    /// <summary>SelfSubjectRulesReview {metadata=1, spec=2{namespace=1}} (kubectl auth can-i --list).</summary>
    public static JsonObject RulesReview(byte[] body)
    {
        Dictionary<int, List<byte[]>> review = Raw(body);
        JsonObject spec = new();
        if (First(review, 2) is { } specBytes && First(Fields(specBytes), 1) is { } ns) spec["namespace"] = Encoding.UTF8.GetString(ns);
        return new JsonObject { ["apiVersion"] = "authorization.k8s.io/v1", ["kind"] = "SelfSubjectRulesReview", ["spec"] = spec };
    }

    /// <summary>Namespace {metadata=1, spec=2{finalizers=1}}.</summary>
    public static JsonObject Namespace(byte[] body)
    {
        Dictionary<int, List<byte[]>> ns = Raw(body);
        JsonObject obj = new() { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = ObjectMeta(First(ns, 1)) };
        if (First(ns, 2) is { } spec)
            obj["spec"] = new JsonObject { ["finalizers"] = new JsonArray(All(Fields(spec), 1).Select(f => (JsonNode)JsonValue.Create(Encoding.UTF8.GetString(f))).ToArray()) };
        return obj;
    }

    /// <summary>ObjectMeta: name=1 generateName=2 namespace=3 labels=11 annotations=12 finalizers=14 (server-set fields are ignored).</summary>
    private static JsonObject ObjectMeta(byte[]? bytes)
    {
        JsonObject meta = new();
        if (bytes == null) return meta;
        Dictionary<int, List<byte[]>> f = Fields(bytes);
        foreach ((int field, string? name) in new[] { (1, "name"), (2, "generateName"), (3, "namespace") })
            if (First(f, field) is { } v) meta[name] = Encoding.UTF8.GetString(v);
        foreach ((int field, string? name) in new[] { (11, "labels"), (12, "annotations") })
        {
            List<byte[]> entries = All(f, field);
            if (entries.Count == 0) continue;
            JsonObject map = new();
            foreach (byte[] entry in entries)
            {
                Dictionary<int, List<byte[]>> kv = Fields(entry);
                map[Encoding.UTF8.GetString(First(kv, 1) ?? [])] = Encoding.UTF8.GetString(First(kv, 2) ?? []);
            }
            meta[name] = map;
        }
        List<byte[]> finalizers = All(f, 14);
        if (finalizers.Count > 0) meta["finalizers"] = new JsonArray(finalizers.Select(x => (JsonNode)JsonValue.Create(Encoding.UTF8.GetString(x))).ToArray());
        return meta;
    }

    private static JsonObject Strings(Dictionary<int, List<byte[]>> fields, params string[] names)
    {
        JsonObject o = new();
        for (int i = 1; i < names.Length; i++)
            if (First(fields, i) is { } v) o[names[i]] = Encoding.UTF8.GetString(v);
        return o;
    }

    private static byte[]? First(Dictionary<int, List<byte[]>> f, int field) => f.TryGetValue(field, out List<byte[]>? l) ? l[^1] : null;
    private static List<byte[]> All(Dictionary<int, List<byte[]>> f, int field) => f.TryGetValue(field, out List<byte[]>? l) ? l : [];

    /// <summary>Length-delimited fields by number, in order; varint and fixed-width fields are skipped.</summary>
    private static Dictionary<int, List<byte[]>> Fields(byte[] data)
    {
        Dictionary<int, List<byte[]>> result = new();
        int pos = 0;
        while (pos < data.Length)
        {
            ulong key = Varint(data, ref pos);
            int field = (int)(key >> 3);
            switch (key & 7)
            {
                case 0: Varint(data, ref pos); break;
                case 1: pos += 8; break;
                case 5: pos += 4; break;
                case 2:
                    int len = (int)Varint(data, ref pos);
                    if (len < 0 || pos + len > data.Length) throw Errors.BadRequest("malformed protobuf body");
                    if (!result.TryGetValue(field, out List<byte[]>? list)) result[field] = list = [];
                    list.Add(data[pos..(pos + len)]);
                    pos += len;
                    break;
                default: throw Errors.BadRequest("malformed protobuf body");
            }
        }
        return result;
    }

    private static ulong Varint(byte[] data, ref int pos)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (pos >= data.Length) throw Errors.BadRequest("malformed protobuf body");
            byte b = data[pos++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw Errors.BadRequest("malformed protobuf body");
    }
}
