using System.Text.Json.Nodes;

namespace VmSnapshot.Lab.Api;

/// <summary>An apiserver error: carries the exact Status object and HTTP code to answer with.</summary>
public sealed class ApiException(int code, JsonObject status) : Exception((string?)status["message"])
{
    public int Code { get; } = code;
    public JsonObject Status { get; } = status;
    public string Reason => (string?)Status["reason"] ?? "";
}

/// <summary>
/// Builds Status objects with the wording of k8s.io/apimachinery/pkg/api/errors, e.g.
/// <c>storageclasses.storage.k8s.io "fast" not found</c>. Details name the plural resource in "kind".
/// </summary>
internal static class Errors
{
    public static JsonObject Status(int code, string reason, string message, JsonObject? details)
    {
        JsonObject s = new()
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (details != null) s["details"] = details;
        s["code"] = code;
        return s;
    }

    private static ApiException Make(int code, string reason, string message, JsonObject? details) => new(code, Status(code, reason, message, details));

    private static JsonObject Details(ResourceType type, string? name, string? kindOverride = null)
    {
        JsonObject d = new();
        if (!string.IsNullOrEmpty(name)) d["name"] = name;
        if (type.Group.Length > 0) d["group"] = type.Group;
        d["kind"] = kindOverride ?? type.Plural;
        return d;
    }

    public static ApiException NotFound(ResourceType type, string name)
        => Make(404, "NotFound", $"{type.QualifiedResource} \"{name}\" not found", Details(type, name));

    public static ApiException NamespaceNotFound(string ns)
        => Make(404, "NotFound", $"namespaces \"{ns}\" not found", new JsonObject { ["name"] = ns, ["kind"] = "namespaces" });

    public static ApiException UnknownPath()
        => Make(404, "NotFound", "the server could not find the requested resource", new JsonObject());

    public static ApiException AlreadyExists(ResourceType type, string name)
        => Make(409, "AlreadyExists", $"{type.QualifiedResource} \"{name}\" already exists", Details(type, name));

    public static ApiException Conflict(ResourceType type, string name, string detail = "the object has been modified; please apply your changes to the latest version and try again")
        => Make(409, "Conflict", $"Operation cannot be fulfilled on {type.QualifiedResource} \"{name}\": {detail}", Details(type, name));

    public static ApiException BadRequest(string message) => Make(400, "BadRequest", message, null);

    public static ApiException MethodNotAllowed()
        => Make(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", new JsonObject());

    public static ApiException UnsupportedPatch()
        => Make(415, "UnsupportedMediaType",
            "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
            new JsonObject());

    public static ApiException UnsupportedMediaType(string mediaType)
        => Make(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf", new JsonObject());

    public static ApiException Expired(string message) => Make(410, "Expired", message, null);

    public static ApiException Unauthorized() => Make(401, "Unauthorized", "Unauthorized", null);

    public static ApiException TooLarge(int limit) => Make(413, "RequestEntityTooLarge", $"Request entity too large: limit is {limit}", null);

    public static ApiException Internal(string message)
        => Make(500, "InternalError", $"Internal error occurred: {message}", new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = message }) });

    /// <summary>One field error: reason is FieldValueRequired, FieldValueInvalid, FieldValueForbidden, ...</summary>
    public sealed record Cause(string Reason, string Field, string Message);

    /// <summary>422 Invalid: message "<c>Kind.group "name" is invalid: field: detail</c>", details.kind holds the Kind.</summary>
    public static ApiException Invalid(ResourceType type, string name, params Cause[] causes)
        => Invalid(type.QualifiedKind, type.Group, type.Kind, name, causes);

    public static ApiException Invalid(string qualifiedKind, string group, string kind, string name, params Cause[] causes)
    {
        // field.ErrorList.ToAggregate drops repeated messages from the text; details.causes keeps every one.
        List<string> parts = causes.Select(c => $"{c.Field}: {c.Message}").Distinct().ToList();
        string joined = parts.Count == 1 ? parts[0] : "[" + string.Join(", ", parts) + "]";
        JsonObject details = new() { ["name"] = name };
        if (group.Length > 0) details["group"] = group;
        details["kind"] = kind;
        details["causes"] = new JsonArray(causes.Select(c => (JsonNode)new JsonObject { ["reason"] = c.Reason, ["message"] = c.Message, ["field"] = c.Field }).ToArray());
        return Make(422, "Invalid", $"{qualifiedKind} \"{name}\" is invalid: {joined}", details);
    }

    /// <summary>
    /// 403 in the RBAC authorizer's words: <c>persistentvolumeclaims "x" is forbidden: User "u"
    /// cannot create resource "persistentvolumeclaims" in API group "" in the namespace "vms"</c>.
    /// </summary>
    public static ApiException Forbidden(string user, string verb, string group, string plural, string? subresource, string? name, string? ns)
    {
        string qualified = group.Length == 0 ? plural : $"{plural}.{group}";
        string subject = string.IsNullOrEmpty(name) ? qualified : $"{qualified} \"{name}\"";
        string resource = subresource == null ? plural : $"{plural}/{subresource}";
        string scope = ns == null ? "at the cluster scope" : $"in the namespace \"{ns}\"";
        JsonObject details = new();
        if (!string.IsNullOrEmpty(name)) details["name"] = name;
        if (group.Length > 0) details["group"] = group;
        details["kind"] = plural;
        return Make(403, "Forbidden", $"{subject} is forbidden: User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"{group}\" {scope}", details);
    }
}
