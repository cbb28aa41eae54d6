using System.Text.Json.Nodes;

namespace VmSnapshot.Lab.Api;

/// <summary>
/// /openapi/v3: per group-version documents whose paths tell kubectl apply/create/replace -f that PATCH accepts
/// fieldValidation (it then leaves validation to the server, fieldValidation=Strict) and whose components.schemas
/// let kubectl explain walk a kind (<see cref="OpenApiSchemas"/>). PATCH operations list no request body, so
/// kubectl computes strategic merge patches for built-ins from its compiled-in types, as it does when a
/// server's document lacks them. The hash in each URL is the document's own (the apiserver's ETag).
/// </summary>
internal static class OpenApi
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ResourceCatalog, Dictionary<string, (JsonObject Doc, string Hash)>> s_built = new();

    public static JsonObject Root(ResourceCatalog catalog)
    {
        JsonObject paths = new() { ["api/v1"] = Entry(catalog, "api/v1") };
        foreach (ResourceType? t in catalog.All.Where(t => t.Group.Length > 0))
        {
            foreach (string v in t.Versions)
                paths[$"apis/{t.Group}/{v}"] = Entry(catalog, $"apis/{t.Group}/{v}");
        }

        return new JsonObject { ["paths"] = paths };

        static JsonObject Entry(ResourceCatalog catalog, string gv) => new() { ["serverRelativeURL"] = $"/openapi/v3/{gv}?hash={Cached(catalog, gv)?.Hash}" };
    }

    /// <summary>The document for "api/v1" or "apis/{group}/{version}"; null when unknown. Built once per lab (the CRD schemas are large).</summary>
    public static JsonObject? GroupVersion(ResourceCatalog catalog, string gv) => Cached(catalog, gv)?.Doc.DeepClone().AsObject();

    private static (JsonObject Doc, string Hash)? Cached(ResourceCatalog catalog, string gv)
    {
        Dictionary<string, (JsonObject Doc, string Hash)> docs = s_built.GetValue(catalog, _ => new Dictionary<string, (JsonObject, string)>());
        lock (docs)
        {
            if (docs.TryGetValue(gv, out (JsonObject Doc, string Hash) hit)) return hit;
            JsonObject? doc = Build(catalog, gv);
            if (doc == null) return null;
            string hash = Convert.ToHexString(System.Security.Cryptography.SHA512.HashData(Json.JsonUtil.ToBytes(doc)));
            return docs[gv] = (doc, hash);
        }
    }

    private static JsonObject? Build(ResourceCatalog catalog, string gv)
    {
        string[] parts = gv.Split('/');
        (string? group, string? version) = parts.Length == 2 && parts[0] == "api" ? ("", parts[1])
            : parts.Length == 3 && parts[0] == "apis" ? (parts[1], parts[2]) : (null, null);
        if (group == null || version == null) return null;
        List<ResourceType> types = catalog.All.Where(t => t.Group == group && t.Versions.Contains(version)).ToList();
        if (types.Count == 0) return null;
        JsonObject paths = new();
        foreach (ResourceType? t in types)
        {
            string prefix = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
            if (t.CreateOnly)
            {
                // The reviews: POST on the collection only.
                paths[$"{prefix}/{t.Plural}"] = new JsonObject { ["post"] = Operation(new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = t.Kind }, "create") };
                continue;
            }
            string item = t.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{t.Plural}/{{name}}" : $"{prefix}/{t.Plural}/{{name}}";
            string collection = item[..item.LastIndexOf('/')];
            JsonObject gvk = new() { ["group"] = group, ["version"] = version, ["kind"] = t.Kind };
            paths[item] = new JsonObject
            {
                ["get"] = Operation(gvk, "read"),
                ["put"] = Operation(gvk, "replace"),
                ["patch"] = Operation(gvk, "patch"),
                ["delete"] = Operation(gvk, "delete"),
            };
            paths[collection] = new JsonObject { ["post"] = Operation(gvk, "create"), ["get"] = Operation(gvk, "list") };
        }
        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.4" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = OpenApiSchemas.For(types, version) },
        };
    }

    private static JsonObject Operation(JsonObject gvk, string action) => new()
    {
        ["x-kubernetes-action"] = action == "read" ? "get" : action == "replace" ? "put" : action == "create" ? "post" : action,
        ["x-kubernetes-group-version-kind"] = gvk.DeepClone(),
        ["parameters"] = new JsonArray(
            new JsonObject { ["name"] = "fieldValidation", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } },
            new JsonObject { ["name"] = "dryRun", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } },
            new JsonObject { ["name"] = "fieldManager", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } }),
        ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
    };
}
