using System.Text.Json.Nodes;

namespace VmSnapshot.Lab.Api;

/// <summary>
/// /version and legacy discovery (/api, /apis, /api/v1, /apis/{g}/{v}). kubectl asks for aggregated
/// discovery first; answering the legacy form as application/json makes it fall back, as traced.
/// </summary>
internal static class Discovery
{
    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "32", // the kubectl dispatcher picks kubectl.1.<minor> from this
        ["emulationMajor"] = "1",
        ["emulationMinor"] = "32",
        ["minCompatibilityMajor"] = "1",
        ["minCompatibilityMinor"] = "31",
        ["gitVersion"] = "v1.32.4",
        ["gitCommit"] = "59526cd4867447956156ae3a602fcbac10a2c335",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2025-04-22T16:02:27Z",
        ["goVersion"] = "go1.23.6",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    public static JsonObject CoreVersions() => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = "127.0.0.1:6443" }),
    };

    public static JsonObject GroupList(ResourceCatalog catalog) => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(catalog.Groups.Select(g => (JsonNode)Group(catalog, g)!).ToArray()),
    };

    public static JsonObject? Group(ResourceCatalog catalog, string group)
    {
        List<ResourceType> types = catalog.All.Where(t => t.Group == group).ToList();
        if (types.Count == 0) return null;
        List<string> versions = types.SelectMany(t => t.Versions).Distinct().ToList(); // preferred version first
        JsonObject Gv(string v) => new() { ["groupVersion"] = $"{group}/{v}", ["version"] = v };
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = group,
            ["versions"] = new JsonArray(versions.Select(v => (JsonNode)Gv(v)).ToArray()),
            ["preferredVersion"] = Gv(versions[0]),
        };
    }

    public static JsonObject? ResourceList(ResourceCatalog catalog, string group, string version)
    {
        List<ResourceType> types = catalog.All.Where(t => t.Group == group && t.Versions.Contains(version)).ToList();
        if (types.Count == 0) return null;
        JsonArray resources = new();
        foreach (ResourceType? t in types)
        {
            JsonObject r = new()
            {
                ["name"] = t.Plural,
                ["singularName"] = t.Singular,
                ["namespaced"] = t.Namespaced,
                ["kind"] = t.Kind,
                ["verbs"] = new JsonArray(t.Verbs.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
            };
            if (t.ShortNames.Length > 0) r["shortNames"] = new JsonArray(t.ShortNames.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
            if (t.Categories.Length > 0) r["categories"] = new JsonArray(t.Categories.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
            if (t.IsCustomResource) r["storageVersionHash"] = StorageVersionHash(t);
            resources.Add(r);
            // Subresources in name order, as the apiserver sorts them (pods/attach ... pods/log ... pods/status).
            Dictionary<string, string[]> subresources = new(t.ConnectSubresources);
            if (t.HasStatus) subresources["status"] = ["get", "patch", "update"];
            foreach ((string sub, string[] verbs) in subresources.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                resources.Add(new JsonObject
                {
                    ["name"] = $"{t.Plural}/{sub}",
                    ["singularName"] = "",
                    ["namespaced"] = t.Namespaced,
                    ["kind"] = sub == "status" ? t.Kind : t.ConnectKind(sub),
                    ["verbs"] = new JsonArray(verbs.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
                });
            }
        }
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }

    /// <summary>Like the apiserver: base64 of the first 8 bytes of sha256("group/version/kind").</summary>
    private static string StorageVersionHash(ResourceType t)
    {
        byte[] bytes = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{t.Group}/{t.StorageVersion}/{t.Kind}"));
        return Convert.ToBase64String(bytes, 0, 8);
    }
}
