using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using VmSnapshot.Lab.Json;

namespace VmSnapshot.Lab.Controllers;

/// <summary>Small accessors for unstructured Kubernetes objects, so controller code reads like the Go it mirrors.</summary>
internal static class Obj
{
    public static string? Str(JsonNode? root, params string[] path)
    {
        JsonNode? n = root;
        foreach (string p in path) n = n?[p];
        return JsonUtil.Str(n);
    }

    public static bool? Bool(JsonNode? n) => n?.GetValueKind() switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => null };

    public static string Name(JsonObject o) => Str(o, "metadata", "name") ?? "";
    public static string? Namespace(JsonObject o) => Str(o, "metadata", "namespace");
    public static string Uid(JsonObject o) => Str(o, "metadata", "uid") ?? "";
    public static bool Deleting(JsonObject o) => o["metadata"]?["deletionTimestamp"] != null;
    public static JsonObject Meta(JsonObject o) => JsonUtil.Obj(o, "metadata");
    public static JsonObject Status(JsonObject o) => JsonUtil.Obj(o, "status");
    public static JsonObject Child(JsonNode parent, string key) => JsonUtil.Obj(parent, key);

    public static string? Annotation(JsonObject o, string key) => Str(o, "metadata", "annotations", key);
    public static string? Label(JsonObject o, string key) => Str(o, "metadata", "labels", key);

    public static bool HasFinalizer(JsonObject o, string f) => o["metadata"]?["finalizers"] is JsonArray a && a.Any(x => x?.ToString() == f);

    public static void AddFinalizer(JsonObject o, string f)
    {
        JsonObject meta = Meta(o);
        if (meta["finalizers"] is not JsonArray a) meta["finalizers"] = a = new JsonArray();
        if (!a.Any(x => x?.ToString() == f)) a.Add(f);
    }

    public static void RemoveFinalizer(JsonObject o, string f)
    {
        if (o["metadata"]?["finalizers"] is not JsonArray a) return;
        foreach (JsonNode? n in a.Where(x => x?.ToString() == f).ToList()) a.Remove(n);
    }

    public static JsonArray Array(JsonNode parent, string key)
    {
        if (parent[key] is JsonArray a) return a;
        a = new JsonArray();
        parent[key] = a;
        return a;
    }

    public static IEnumerable<JsonObject> Items(JsonNode? n) => (n as JsonArray ?? []).OfType<JsonObject>();

    public static JsonObject OwnerRef(JsonObject owner, bool controller = true, bool blockOwnerDeletion = true) => new()
    {
        ["apiVersion"] = Str(owner, "apiVersion"),
        ["kind"] = Str(owner, "kind"),
        ["name"] = Name(owner),
        ["uid"] = Uid(owner),
        ["controller"] = controller,
        ["blockOwnerDeletion"] = blockOwnerDeletion,
    };

    /// <summary>RFC 3339 with second precision, wall clock (like the apiserver's timestamps).</summary>
    public static string Timestamp() => JsonUtil.Now();

    public static DateTime? ParseTime(string? text)
        => DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime t) ? t : null;

    public static JsonNode? Clone(JsonNode? n) => n?.DeepClone();

    /// <summary>Sets status.conditions[type] like KubeVirt's updateCondition: a new lastTransitionTime only when status or reason changes.</summary>
    public static void SetCondition(JsonObject status, string type, string conditionStatus, string reason, string? message = null)
    {
        JsonArray list = Array(status, "conditions");
        JsonObject? existing = Items(list).FirstOrDefault(c => Str(c, "type") == type);
        if (existing != null && Str(existing, "status") == conditionStatus && (Str(existing, "reason") ?? "") == reason && (Str(existing, "message") ?? "") == (message ?? "")) return;
        JsonObject c = new() { ["type"] = type, ["status"] = conditionStatus, ["lastProbeTime"] = null, ["lastTransitionTime"] = Timestamp() };
        if (reason.Length > 0) c["reason"] = reason;
        if (!string.IsNullOrEmpty(message)) c["message"] = message;
        if (existing != null) list[list.IndexOf(existing)] = c;
        else list.Add(c);
    }

    public static void RemoveCondition(JsonObject status, string type)
    {
        if (status["conditions"] is not JsonArray list) return;
        foreach (JsonObject? c in Items(list).Where(c => Str(c, "type") == type).ToList()) list.Remove(c);
    }

    public static bool HasCondition(JsonObject? o, string type, string? status = null)
        => Items(o?["status"]?["conditions"]).Any(c => Str(c, "type") == type && (status == null || Str(c, "status") == status));

    /// <summary>Parses a resource.Quantity into bytes (Ki, Mi, Gi, Ti, k, M, G, plain numbers).</summary>
    public static long QuantityBytes(string? q)
    {
        if (string.IsNullOrEmpty(q)) return 0;
        (string suffix, double mult)[] units = [("Ki", 1L << 10), ("Mi", 1L << 20), ("Gi", 1L << 30), ("Ti", 1L << 40), ("Pi", 1L << 50), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12)];
        foreach ((string? suffix, double mult) in units)
        {
            if (q.EndsWith(suffix, StringComparison.Ordinal) && double.TryParse(q[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                return (long)(v * mult);
        }

        return double.TryParse(q, NumberStyles.Float, CultureInfo.InvariantCulture, out double plain) ? (long)plain : 0;
    }
}
