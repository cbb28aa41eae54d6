using System.Text.Json.Nodes;
using VmSnapshot.Lab.Api;

namespace VmSnapshot.Lab.Store;

/// <summary>
/// An API group served outside the store by an extension apiserver behind an APIService, as kube-aggregator proxies
/// it (k8s.io/kube-aggregator pkg/apiserver/handler_proxy.go, proxyHandler.ServeHTTP).
/// </summary>
internal interface IAggregatedApi
{
    string Group { get; }
    /// <summary>Served versions, preferred first.</summary>
    IReadOnlyList<string> Versions { get; }
    JsonObject ResourceList(string version);
    /// <summary>Answers a request under /apis/{Group}/{version}/... (discovery already handled).</summary>
    Task ServeAsync(RequestContext ctx, string version, string[] rest);
}

/// <summary>The registry the API handler consults before the store's own routes; also adds the groups to /apis.</summary>
public sealed class AggregatedApis
{
    private readonly List<IAggregatedApi> _apis = [];

    internal void Register(IAggregatedApi api)
    {
        lock (_apis) _apis.Add(api);
    }

    /// <summary>The resource names the aggregated groups list in discovery (virtualmachines/start, ...).</summary>
    internal IEnumerable<string> ResourceNames() =>
        _apis.SelectMany(a => a.ResourceList(a.Versions[0])["resources"]?.AsArray() ?? [])
            .Select(r => r?["name"]?.ToString()).OfType<string>();

    internal void Clear()
    {
        lock (_apis) _apis.Clear();
    }

    private IAggregatedApi? Find(string group)
    {
        lock (_apis) return _apis.FirstOrDefault(a => a.Group == group);
    }

    /// <summary>Appends the aggregated groups to an APIGroupList.</summary>
    internal JsonObject AddGroups(JsonObject groupList)
    {
        IAggregatedApi[] all;
        lock (_apis) all = _apis.ToArray();
        if (groupList["groups"] is JsonArray groups)
            foreach (IAggregatedApi api in all) groups.Add(GroupOf(api));
        return groupList;
    }

    private static JsonObject GroupOf(IAggregatedApi api)
    {
        JsonObject Gv(string v) => new() { ["groupVersion"] = $"{api.Group}/{v}", ["version"] = v };
        return new JsonObject
        {
            ["kind"] = "APIGroup", ["apiVersion"] = "v1", ["name"] = api.Group,
            ["versions"] = new JsonArray(api.Versions.Select(v => (JsonNode)Gv(v)).ToArray()),
            ["preferredVersion"] = Gv(api.Versions[0]),
        };
    }

    /// <summary>True when the path belongs to an aggregated group and was answered.</summary>
    internal async Task<bool> TryServeAsync(RequestContext ctx, string path)
    {
        string[] parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || parts[0] != "apis") return false;
        IAggregatedApi? api = Find(parts[1]);
        if (api == null) return false;
        if (parts.Length == 2 && ctx.Request.Method == "GET") { await ApiHandler.SendJsonAsync(ctx.Response, 200, GroupOf(api), ctx.Cancellation); return true; }
        if (parts.Length < 3 || !api.Versions.Contains(parts[2])) throw Errors.UnknownPath();
        if (parts.Length == 3 && ctx.Request.Method == "GET") { await ApiHandler.SendJsonAsync(ctx.Response, 200, api.ResourceList(parts[2]), ctx.Cancellation); return true; }
        await api.ServeAsync(ctx, parts[2], parts[3..]);
        return true;
    }
}
