using System.Text;
using System.Text.Json.Nodes;

namespace VmSnapshot.Lab.Api;

/// <summary>
/// kubectl's typed clients (auth can-i) POST SelfSubjectAccessReview as protobuf: "k8s\0" + runtime.Unknown
/// {typeMeta=1, raw=2}, raw = SelfSubjectAccessReview {metadata=1, spec=2}. This reads just the spec's
/// resourceAttributes (namespace=1 verb=2 group=3 version=4 resource=5 subresource=6 name=7) and
/// nonResourceAttributes (path=1 verb=2) into the JSON shape; the answer goes back as JSON, which the client accepts.
/// </summary>
internal static class ProtobufAccessReview
{
    private static readonly byte[] Magic = "k8s\0"u8.ToArray();

    public static bool IsProtobuf(byte[] body) => body.AsSpan().StartsWith(Magic);

    public static JsonObject Decode(byte[] body)
    {
        var unknown = Fields(body.AsSpan(Magic.Length).ToArray());
        var raw = unknown.GetValueOrDefault(2) ?? throw Errors.BadRequest("protobuf envelope has no raw object");
        var review = Fields(raw);
        var spec = new JsonObject();
        if (review.GetValueOrDefault(2) is { } specBytes)
        {
            var s = Fields(specBytes);
            if (s.GetValueOrDefault(1) is { } ra)
            {
                var f = Fields(ra);
                string[] names = ["", "namespace", "verb", "group", "version", "resource", "subresource", "name"];
                var attrs = new JsonObject();
                for (var i = 1; i < names.Length; i++)
                    if (f.GetValueOrDefault(i) is { } v) attrs[names[i]] = Encoding.UTF8.GetString(v);
                spec["resourceAttributes"] = attrs;
            }
            if (s.GetValueOrDefault(2) is { } nra)
            {
                var f = Fields(nra);
                var attrs = new JsonObject();
                if (f.GetValueOrDefault(1) is { } path) attrs["path"] = Encoding.UTF8.GetString(path);
                if (f.GetValueOrDefault(2) is { } verb) attrs["verb"] = Encoding.UTF8.GetString(verb);
                spec["nonResourceAttributes"] = attrs;
            }
        }
        return new JsonObject { ["apiVersion"] = "authorization.k8s.io/v1", ["kind"] = "SelfSubjectAccessReview", ["spec"] = spec };
    }

    /// <summary>Length-delimited fields by number (last wins); varint and fixed fields are skipped.</summary>
    private static Dictionary<int, byte[]> Fields(byte[] data)
    {
        var result = new Dictionary<int, byte[]>();
        var pos = 0;
        while (pos < data.Length)
        {
            var key = Varint(data, ref pos);
            var field = (int)(key >> 3);
            switch (key & 7)
            {
                case 0: Varint(data, ref pos); break;
                case 1: pos += 8; break;
                case 5: pos += 4; break;
                case 2:
                    var len = (int)Varint(data, ref pos);
                    if (len < 0 || pos + len > data.Length) throw Errors.BadRequest("malformed protobuf body");
                    result[field] = data[pos..(pos + len)];
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
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (pos >= data.Length) throw Errors.BadRequest("malformed protobuf body");
            var b = data[pos++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw Errors.BadRequest("malformed protobuf body");
    }
}
