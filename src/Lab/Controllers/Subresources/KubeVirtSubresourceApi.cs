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

    public JsonObject ResourceList(string version) => new()
    {
        ["kind"] = "APIResourceList",
        ["apiVersion"] = "v1",
        ["groupVersion"] = $"{Group}/{version}",
        ["resources"] = new JsonArray(s_served.Select(s => (JsonNode)new JsonObject
        {
            ["name"] = s.Resource, ["singularName"] = "", ["namespaced"] = true,
            ["kind"] = s.Resource.StartsWith("virtualmachines/", StringComparison.Ordinal) ? "VirtualMachine" : "VirtualMachineInstance",
            ["verbs"] = new JsonArray(s.Verb == "update" ? "update" : "get"),
        }).ToArray()),
    };

    public async Task ServeAsync(RequestContext ctx, string version, string[] rest)
    {
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
