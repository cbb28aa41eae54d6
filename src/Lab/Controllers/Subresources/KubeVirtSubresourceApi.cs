using System.Text.Json;
using System.Text.Json.Nodes;
using VmSnapshot.Lab.Api;
using VmSnapshot.Lab.GuestAgent;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Lab.Controllers.Subresources;

/// <summary>
/// virt-api's aggregated group subresources.kubevirt.io (v1 and v1alpha3, reference §3.3): PUT
/// virtualmachines/{name}/start|stop|restart and virtualmachineinstances/{name}/freeze|unfreeze|pause|unpause,
/// GET virtualmachineinstances/{name}/guestosinfo|userlist|filesystemlist. RBAC as for any resource: PUT is the
/// verb update on "virtualmachines/start" etc., GET is get.
/// </summary>
internal sealed class KubeVirtSubresourceApi(ControllerHost host) : IAggregatedApi
{
    private readonly LifecycleSubresources _lifecycle = new(host);
    private readonly GuestAgentSubresources _agent = new(host);

    private static readonly (string Resource, string Verb)[] s_served =
    [
        ("virtualmachines/start", "update"), ("virtualmachines/stop", "update"), ("virtualmachines/restart", "update"),
        ("virtualmachineinstances/freeze", "update"), ("virtualmachineinstances/unfreeze", "update"),
        ("virtualmachineinstances/pause", "update"), ("virtualmachineinstances/unpause", "update"),
        ("virtualmachineinstances/guestosinfo", "get"), ("virtualmachineinstances/userlist", "get"), ("virtualmachineinstances/filesystemlist", "get"),
    ];

    public string Group => "subresources.kubevirt.io";
    public IReadOnlyList<string> Versions { get; } = ["v1", "v1alpha3"];

    /// <summary>
    /// What virt-api lists at /apis/subresources.kubevirt.io/{version}: names only, every one namespaced, without kind
    /// or verbs (pkg/virt-api/api.go, composeSubresources, the "getAPISubResources" route), including the routes the
    /// lab does not serve (console, vnc, migrate, ...), which then answer 404 as an unknown path.
    /// </summary>
    private static readonly string[] s_discovered =
    [
        "expand-vm-spec", "virtualmachineinstances/vnc", "virtualmachineinstances/vnc/screenshot", "virtualmachineinstances/console",
        "virtualmachineinstances/portforward", "virtualmachineinstances/backup", "virtualmachineinstances/redefine-checkpoint",
        "virtualmachineinstances/pause", "virtualmachineinstances/unpause", "virtualmachineinstances/freeze", "virtualmachineinstances/unfreeze",
        "virtualmachineinstances/reset", "virtualmachineinstances/softreboot", "virtualmachines/start", "virtualmachines/stop",
        "virtualmachines/restart", "virtualmachines/migrate", "virtualmachines/expand-spec", "virtualmachines/objectgraph",
        "virtualmachines/evacuate/cancel", "virtualmachineinstances/guestosinfo", "virtualmachineinstances/userlist",
        "virtualmachineinstances/filesystemlist", "virtualmachineinstances/addvolume", "virtualmachineinstances/removevolume",
        "virtualmachineinstances/objectgraph", "virtualmachineinstances/sev/fetchcertchain", "virtualmachineinstances/sev/querylaunchmeasurement",
        "virtualmachineinstances/sev/setupsession", "virtualmachineinstances/sev/injectlaunchsecret", "virtualmachineinstances/evacuate/cancel",
    ];

    public JsonObject ResourceList(string version) => new()
    {
        ["kind"] = "APIResourceList",
        ["apiVersion"] = "v1",
        ["groupVersion"] = $"{Group}/{version}",
        // metav1.APIResource as Go marshals it: singularName, kind and verbs have no omitempty.
        ["resources"] = new JsonArray(s_discovered.Select(name => (JsonNode)new JsonObject
        {
            ["name"] = name, ["singularName"] = "", ["namespaced"] = true, ["kind"] = "", ["verbs"] = null,
        }).ToArray()),
    };

    /// <summary>
    /// GET {version}/version and {version}/healthz (api.go: the "Version" and "CheckHealth" routes). The aggregator
    /// authorizes them as resources of the group: every authenticated user may get "version" (the kubevirt.io:default
    /// ClusterRole bound to system:authenticated, rbac/cluster.go newDefaultClusterRole); "healthz" needs a grant.
    /// </summary>
    private async Task<bool> TryServeClusterRouteAsync(RequestContext ctx, string[] rest)
    {
        if (rest.Length != 1 || rest[0] is not ("version" or "healthz")) return false;
        if (ctx.Request.Method != "GET") throw Errors.MethodNotAllowed();
        if (rest[0] == "healthz" && !ctx.User.Can("get", Group, "healthz", null))
            throw Errors.Forbidden(ctx.User.Name, "get", Group, "healthz", null, null, null);
        JsonObject body = rest[0] == "version"
            ? new JsonObject
            {
                // client-go/version.Info as virtversion.Get() reports it.
                ["gitVersion"] = host.Settings.KubeVirt.Version, ["gitCommit"] = "d923fdb815e3e8b9c2e8d6b4c0c1f1a0ba5e3c21",
                ["gitTreeState"] = "clean", ["buildDate"] = "2026-10-01T00:00:00Z", ["goVersion"] = "go1.24.6",
                ["compiler"] = "gc", ["platform"] = "linux/amd64",
            }
            : new JsonObject
            {
                // pkg/healthz/healthz.go, KubeConnectionHealthzFuncFactory: the apiserver's /version and the KubeVirt
                // CR's resourceVersion the configuration was read from.
                ["apiserver"] = new JsonObject { ["connectivity"] = "ok", ["version"] = Discovery.Version() },
                ["config-resource-version"] = host.Store.List("kubevirts").FirstOrDefault()?["metadata"]?["resourceVersion"]?.DeepClone() ?? "",
            };
        await ApiHandler.SendJsonAsync(ctx.Response, 200, body, ctx.Cancellation);
        return true;
    }

    public async Task ServeAsync(RequestContext ctx, string version, string[] rest)
    {
        if (await TryServeClusterRouteAsync(ctx, rest)) return;
        // namespaces/{ns}/{plural}/{name}/{subresource}
        if (rest.Length != 5 || rest[0] != "namespaces") throw Errors.UnknownPath();
        (string? ns, string? plural, string? name, string? sub) = (rest[1], rest[2], rest[3], rest[4]);
        (string Resource, string Verb) entry = s_served.FirstOrDefault(s => s.Resource == $"{plural}/{sub}");
        if (entry.Resource == null) throw Errors.UnknownPath();
        string method = ctx.Request.Method;
        if ((entry.Verb == "update" && method != "PUT") || (entry.Verb == "get" && method != "GET")) throw Errors.MethodNotAllowed();
        if (!ctx.User.Can(entry.Verb, Group, entry.Resource, name))
            throw Errors.Forbidden(ctx.User.Name, entry.Verb, Group, plural, sub, name, ns);
        JsonObject? body = ParseBody(ctx);
        bool dryRun = body?["dryRun"] is JsonArray d && d.Any(x => x?.ToString() == "All");

        switch (entry.Resource)
        {
            case "virtualmachines/start": _lifecycle.Start(ns, name, body, dryRun); await Empty(ctx, 202); break;
            case "virtualmachines/stop": _lifecycle.Stop(ns, name, body, dryRun); await Empty(ctx, 202); break;
            case "virtualmachines/restart": _lifecycle.Restart(ns, name, body, dryRun); await Empty(ctx, 202); break;
            case "virtualmachineinstances/pause": _lifecycle.Pause(ns, name, dryRun); await Empty(ctx, 200); break;
            case "virtualmachineinstances/unpause": _lifecycle.Unpause(ns, name, dryRun); await Empty(ctx, 200); break;
            case "virtualmachineinstances/freeze": await _agent.FreezeAsync(ns, name, body, ctx.Cancellation); await Empty(ctx, 200); break;
            case "virtualmachineinstances/unfreeze": _agent.Unfreeze(ns, name); await Empty(ctx, 200); break;
            default: await _agent.ServeInfoAsync(ctx, ns, name, sub); break;
        }
    }

    private static Task Empty(RequestContext ctx, int code) => ctx.Response.SendAsync(code, ReadOnlyMemory<byte>.Empty, "application/json", ctx.Cancellation);

    private static JsonObject? ParseBody(RequestContext ctx)
    {
        if (ctx.Request.Body.Length == 0) return null;
        try { return JsonNode.Parse(ctx.Request.Body) as JsonObject; }
        catch (JsonException ex) { throw Errors.BadRequest(Json.JsonUtil.GoParseError(ctx.Request.Body, ex)); }
    }
}
