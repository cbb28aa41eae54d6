using System.Text.Json;
using System.Text.Json.Nodes;
using VmSnapshot.Lab.Http;
using VmSnapshot.Lab.Json;

namespace VmSnapshot.Lab.Api;

/// <summary>Decodes request bodies into objects and refuses them with the apiserver's wording.</summary>
internal static class BodyDecoder
{
    private static readonly HashSet<string> s_metadataFields =
    [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers", "managedFields",
    ];

    /// <summary>A create or update body: JSON, or YAML when the Content-Type says so.</summary>
    public static JsonObject DecodeObject(RequestContext ctx, ResourceType type)
    {
        HttpRequest req = ctx.Request;
        string media = req.MediaType;
        if (media == "application/vnd.kubernetes.protobuf" && type.Plural == "namespaces" && ProtobufBodies.IsProtobuf(req.Body))
            return ProtobufBodies.Namespace(req.Body); // kubectl create namespace
        if (media.Length > 0 && media is not ("application/json" or "application/yaml" or "*/*"))
            throw Errors.UnsupportedMediaType(media);
        JsonNode? node;
        try
        {
            node = media == "application/yaml" ? YamlToJson.ParseAll(req.BodyText).FirstOrDefault() : JsonNode.Parse(req.Body);
        }
        catch (JsonException ex)
        {
            throw Errors.BadRequest($"the object provided is unrecognized (must be of type {type.Kind}): couldn't get version/kind; json parse error: {JsonUtil.GoParseError(req.Body, ex)}");
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw Errors.BadRequest($"the object provided is unrecognized (must be of type {type.Kind}): couldn't get version/kind; yaml parse error: {ex.Message}");
        }
        if (node is not JsonObject obj)
            throw Errors.BadRequest($"the object provided is unrecognized (must be of type {type.Kind}): couldn't get version/kind; json parse error: json: cannot unmarshal {JsonUtil.Describe(node)} into Go value of type struct {{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }}");
        CheckKind(obj, type, ctx);
        return obj;
    }

    /// <summary>Kind must be present and apiVersion must be one this resource serves.</summary>
    public static void CheckKind(JsonObject obj, ResourceType type, RequestContext ctx)
    {
        string? kind = JsonUtil.Str(obj["kind"]);
        string? apiVersion = JsonUtil.Str(obj["apiVersion"]);
        if (string.IsNullOrEmpty(kind))
            throw Errors.BadRequest($"Object 'Kind' is missing in '{Truncate(ctx.Request.BodyText)}'");
        if (kind != type.Kind)
            throw Errors.BadRequest($"the kind in the request ({kind}) does not match the expected kind ({type.Kind})");
        if (string.IsNullOrEmpty(apiVersion) || !type.Versions.Any(v => type.ApiVersionFor(v) == apiVersion))
            throw Errors.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({type.ApiVersionFor(type.StorageVersion)})");
    }

    private static string Truncate(string s) => s.Length > 1024 ? s[..1024] : s;

    /// <summary>Top-level and metadata fields the kind does not have (for kinds without a schema).</summary>
    public static List<string> UnknownFields(JsonObject obj, ResourceType type)
    {
        List<string> unknown = new();
        foreach ((string key, JsonNode? _) in obj)
            if (key is not ("apiVersion" or "kind" or "metadata") && !type.TopLevelFields.Contains(key)) unknown.Add(key);
        if (obj["metadata"] is JsonObject meta)
        {
            foreach ((string key, JsonNode? _) in meta)
                if (!s_metadataFields.Contains(key)) unknown.Add("metadata." + key);
        }

        return unknown;
    }
}
