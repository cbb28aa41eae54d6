using System.Text.Json.Nodes;

namespace VmSnapshot.Lab.Api;

/// <summary>
/// The minimal /openapi/v3 that lets kubectl apply/create/replace -f run with default validation: it only
/// has to learn that PATCH accepts fieldValidation, then it leaves validation to the server
/// (fieldValidation=Strict), which the lab honours for unknown top-level and metadata fields.
/// </summary>
internal static class OpenApi
{
    private const string Hash = "4C4B2D5649525445";

    public static JsonObject Root(ResourceCatalog catalog)
    {
        var paths = new JsonObject { ["api/v1"] = Entry("api/v1") };
        foreach (var t in catalog.All.Where(t => t.Group.Length > 0))
            foreach (var v in t.Versions)
                paths[$"apis/{t.Group}/{v}"] = Entry($"apis/{t.Group}/{v}");
        return new JsonObject { ["paths"] = paths };

        static JsonObject Entry(string gv) => new() { ["serverRelativeURL"] = $"/openapi/v3/{gv}?hash={Hash}" };
    }

    /// <summary>The document for "api/v1" or "apis/{group}/{version}"; null when unknown.</summary>
    public static JsonObject? GroupVersion(ResourceCatalog catalog, string gv)
    {
        var parts = gv.Split('/');
        var (group, version) = parts.Length == 2 && parts[0] == "api" ? ("", parts[1])
            : parts.Length == 3 && parts[0] == "apis" ? (parts[1], parts[2]) : (null, null);
        if (group == null || version == null) return null;
        var types = catalog.All.Where(t => t.Group == group && t.Versions.Contains(version) && !t.CreateOnly).ToList();
        if (types.Count == 0) return null;
        var paths = new JsonObject();
        foreach (var t in types)
        {
            var prefix = group.Length == 0 ? $"/api/{version}" : $"/apis/{group}/{version}";
            var item = t.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{t.Plural}/{{name}}" : $"{prefix}/{t.Plural}/{{name}}";
            var collection = item[..item.LastIndexOf('/')];
            var gvk = new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = t.Kind };
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
            ["components"] = new JsonObject { ["schemas"] = new JsonObject() },
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
