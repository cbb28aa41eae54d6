using System.Text.Json.Nodes;
using VmSnapshot.Lab.Json;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Lab.Api;

/// <summary>
/// pods/log, exec, attach and portforward: a real apiserver answers them by connecting to the kubelet of the pod's node
/// on port 10250 (kubernetes pkg/registry/core/pod/strategy.go LogLocation, streamLocation, PortForwardLocation). The
/// lab has no kubelet, so every request that gets as far as dialing fails the way an apiserver whose kubelets refuse
/// connections fails: pods/log with the client error of LocationStreamer.InputStream (k8s.io/apiserver
/// pkg/registry/generic/rest/streamer.go), the upgrade subresources with UpgradeAwareHandler's "error dialing backend"
/// (k8s.io/apimachinery pkg/util/proxy/upgradeaware.go dial), both as the 500 Status ErrorToAPIStatus makes of an
/// error that is not a Status (no reason). What fails before dialing fails as it does there: an unknown pod (404), a
/// wrong container name (400), exec without an upgrade (400), a pod on no node.
/// </summary>
internal sealed partial class ApiHandler
{
    private const int KubeletPort = 10250;

    private async Task ConnectAsync(RequestContext ctx, ResourceType type, ApiPath p)
    {
        string sub = p.Subresource!;
        bool upgradeSubresource = sub != "log";
        string verb = ctx.Request.Method switch
        {
            "GET" => "get",
            "POST" when upgradeSubresource => "create",
            _ => throw Errors.MethodNotAllowed(),
        };
        Authorize(ctx.User, verb, type, p);
        // AuthorizePodWebsocketUpgradeCreatePermission (beta, on in 1.32): a GET that upgrades also needs create.
        if (upgradeSubresource && verb == "get") Authorize(ctx.User, "create", type, p);

        StoredObject stored = store.Find(type, p.Namespace, p.Name!) ?? throw Errors.NotFound(type, p.Name!);
        JsonObject pod = stored.ToJson();
        string? container = ctx.Query["container"];
        if (sub != "portforward") container = ValidateContainer(container, pod);
        string? node = JsonUtil.Str(pod["spec"]?["nodeName"]);

        if (sub == "log")
        {
            // LogLocation: a pod no node runs yet has no location; the streamer then answers an empty stream.
            if (string.IsNullOrEmpty(node)) { await ctx.Response.SendAsync(200, ReadOnlyMemory<byte>.Empty, "text/plain", ctx.Cancellation); return; }
            string kubelet = KubeletHost(pod, node);
            string url = $"https://{kubelet}:{KubeletPort}/containerLogs/{p.Namespace}/{p.Name}/{container}{LogParams(ctx)}";
            throw Unreachable($"Get \"{url}\": dial tcp {kubelet}:{KubeletPort}: connect: connection refused");
        }
        if (string.IsNullOrEmpty(node)) throw Errors.BadRequest($"pod {p.Name} does not have a host assigned");
        string host = KubeletHost(pod, node);
        if (!IsUpgradeRequest(ctx)) throw Errors.BadRequest("Upgrade request required");
        throw Unreachable($"error dialing backend: dial tcp {host}:{KubeletPort}: connect: connection refused");
    }

    /// <summary>validateContainer (strategy.go): the only container by default, else a name the pod has.</summary>
    private static string ValidateContainer(string? container, JsonObject pod)
    {
        string name = JsonUtil.Str(pod["metadata"]?["name"]) ?? "";
        List<string> containers = Names(pod["spec"]?["containers"]);
        // podutil.VisitContainers order: init containers, containers, ephemeral containers.
        List<string> all = [.. Names(pod["spec"]?["initContainers"]), .. containers, .. Names(pod["spec"]?["ephemeralContainers"])];
        if (string.IsNullOrEmpty(container))
        {
            return containers.Count switch
            {
                1 => containers[0],
                0 => throw Errors.BadRequest($"a container name must be specified for pod {name}"),
                _ => throw Errors.BadRequest($"a container name must be specified for pod {name}, choose one of: [{string.Join(" ", all)}]"),
            };
        }
        return all.Contains(container) ? container : throw Errors.BadRequest($"container {container} is not valid for pod {name}");
    }

    private static List<string> Names(JsonNode? list)
        => (list as JsonArray ?? []).OfType<JsonObject>().Select(c => JsonUtil.Str(c["name"]) ?? "").ToList();

    /// <summary>
    /// The kubelet address NodeConnectionInfoGetter picks: the node's InternalIP (the address type kubeadm and OpenShift
    /// prefer), which kubelet also reports as the pod's hostIP. The lab has no Node objects; a pod whose node it knows
    /// no address of names a node that does not exist, which GetConnectionInfo answers with the node's NotFound.
    /// </summary>
    private static string KubeletHost(JsonObject pod, string node)
        => JsonUtil.Str(pod["status"]?["hostIP"]) is { Length: > 0 } ip ? ip
            : throw new ApiException(404, Errors.Status(404, "NotFound", $"nodes \"{node}\" not found", new JsonObject { ["name"] = node, ["kind"] = "nodes" }));

    /// <summary>The kubelet query LogLocation builds from PodLogOptions, in url.Values.Encode's key order.</summary>
    private static string LogParams(RequestContext ctx)
    {
        SortedDictionary<string, string> query = new(StringComparer.Ordinal);
        foreach (string flag in new[] { "follow", "previous", "timestamps" })
            if (bool.TryParse(ctx.Query[flag], out bool on) && on) query[flag] = "true";
        foreach (string number in new[] { "sinceSeconds", "tailLines", "limitBytes" })
            if (long.TryParse(ctx.Query[number], out long n)) query[number] = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (ctx.Query["sinceTime"] is { Length: > 0 } since) query["sinceTime"] = since;
        return query.Count == 0 ? "" : "?" + string.Join("&", query.Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value)}"));
    }

    /// <summary>httpstream.IsUpgradeRequest: a Connection header that mentions upgrade.</summary>
    private static bool IsUpgradeRequest(RequestContext ctx)
        => ctx.Request.Header("Connection")?.Contains("upgrade", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>ErrorToAPIStatus of a plain error: code 500, StatusReasonUnknown (so no reason), the error text.</summary>
    private static ApiException Unreachable(string message)
    {
        JsonObject status = Errors.Status(500, "", message, null);
        status.Remove("reason");
        return new ApiException(500, status);
    }
}
