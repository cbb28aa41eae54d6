using System.Text;
using System.Text.Json.Nodes;
using VmSnapshot.Lab.Json;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Lab.Api;

internal sealed partial class ApiHandler
{
    /// <summary>The apiserver's --min-request-timeout is 1800s; watches without timeoutSeconds end somewhat later.</summary>
    private static readonly TimeSpan s_defaultWatchTimeout = TimeSpan.FromMinutes(30);

    /// <summary>
    /// A watch: 200 with chunked, newline-delimited {"type","object"} events, flushed when no more wait. The status
    /// line and headers go out at once, before any event, as WatchServer.HandleHTTP in k8s.io/apiserver
    /// pkg/endpoints/handlers/watch.go does (WriteHeader(200), then Flush): a client waiting for headers with a
    /// request timeout (kubectl get -w --request-timeout) would otherwise give up and retry on a quiet watch.
    /// No body bytes precede the first event (KubernetesClient's first read would take them for data).
    /// </summary>
    private async Task WatchAsync(RequestContext ctx, ResourceType type, ApiPath p)
    {
        LabelSelector labels = LabelSelector.Parse(ctx.Query["labelSelector"]);
        FieldSelector fields = FieldSelector.Parse(ctx.Query["fieldSelector"], type);
        if (p.Name != null) fields = FieldSelector.Parse($"metadata.name={p.Name}" + (ctx.Query["fieldSelector"] is { Length: > 0 } f ? "," + f : ""), type);
        long? fromRv = null;
        if (ctx.Query["resourceVersion"] is { Length: > 0 } rvText)
        {
            if (!long.TryParse(rvText, out long rv) || rv < 0)
                throw Errors.BadRequest($"resourceVersion: Invalid value: \"{rvText}\": must be a non-negative integer");
            fromRv = rv;
        }
        TimeSpan timeout = s_defaultWatchTimeout;
        if (ctx.Query["timeoutSeconds"] is { Length: > 0 } ts && long.TryParse(ts, out long seconds) && seconds > 0)
            timeout = TimeSpan.FromSeconds(seconds);
        bool bookmarks = ctx.Query.Bool("allowWatchBookmarks") == true;
        bool table = ctx.WantsTable;
        string include = table ? ctx.TableIncludeObject : TableBuilder.IncludeMetadata;

        WatchSubscription subscription;
        try
        {
            subscription = store.Subscribe(type, fromRv, bookmarks);
        }
        catch (ApiException ex) when (ex.Code == 410)
        {
            // The watch cache answers a too-old resourceVersion with 200 and an ERROR event, then closes.
            Stream expired = await ctx.Response.BeginChunkedAsync(200, "application/json", ctx.Cancellation);
            await WriteLineAsync(expired, "ERROR", Encoding.UTF8.GetBytes(JsonUtil.ToText(ex.Status)), ctx.Cancellation);
            return;
        }

        using WatchSubscription _ = subscription;
        using CancellationTokenSource timeoutCts = new(timeout);
        // A client that hangs up ends the watch at once, not at its next event.
        CancellationToken clientGone = ctx.Response.MonitorDisconnect(ctx.Cancellation);
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(ctx.Cancellation, stopping, timeoutCts.Token, clientGone);
        CancellationToken ct = linked.Token;
        Stream body = await ctx.Response.BeginChunkedAsync(200, "application/json", ctx.Cancellation, WarningHeaders(ctx));
        bool headersSent = false;

        async Task Emit(WatchEvent e)
        {
            (string? kind, StoredObject? obj) = Translate(e, p, labels, fields);
            if (kind == null) return;
            byte[] payload;
            if (kind == "BOOKMARK")
            {
                payload = JsonUtil.ToBytes(new JsonObject
                {
                    ["kind"] = type.Kind, ["apiVersion"] = type.ApiVersionFor(p.Version),
                    ["metadata"] = new JsonObject { ["resourceVersion"] = e.ResourceVersion.ToString() },
                });
            }
            else if (table)
            {
                JsonObject json = AsVersion(obj!, p.Version);
                payload = JsonUtil.ToBytes(TableBuilder.Table(type, [json], new JsonObject { ["resourceVersion"] = obj!.ResourceVersion.ToString() }, include, withColumns: !headersSent));
                headersSent = true;
            }
            else
            {
                payload = Encode(obj!, p.Version);
            }

            await WriteLineAsync(body, kind, payload, ct, flush: false);
        }

        // Events go out when no more are waiting, as WatchServer.HandleHTTP flushes only when len(ch) == 0: a burst
        // of changes leaves in few chunks (ChunkedStream still emits every 32 KiB), a lone change at once.
        try
        {
            foreach (WatchEvent e in subscription.Initial) await Emit(e);
            await body.FlushAsync(ct);
            while (await subscription.Reader.WaitToReadAsync(ct))
            {
                while (subscription.Reader.TryRead(out WatchEvent? e)) await Emit(e);
                await body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (!ctx.Cancellation.IsCancellationRequested)
        {
            // timeoutSeconds elapsed or the lab is stopping: end the stream cleanly.
        }
    }

    /// <summary>
    /// Applies namespace and selectors to an event. An object leaving the selection becomes DELETED (its
    /// previous state at the new resourceVersion), one entering it becomes ADDED, like the watch cache does.
    /// </summary>
    private static (string? Kind, StoredObject? Obj) Translate(WatchEvent e, ApiPath p, LabelSelector labels, FieldSelector fields)
    {
        if (e.Type == "BOOKMARK") return ("BOOKMARK", null);
        bool Selected(StoredObject? o) => o != null && (p.Namespace == null || o.Namespace == p.Namespace) && labels.Matches(o.Labels) && fields.Matches(o);
        bool now = e.Type != "DELETED" && Selected(e.Object);
        bool before = e.Type == "MODIFIED" && Selected(e.Previous);
        return e.Type switch
        {
            "ADDED" => now ? ("ADDED", e.Object) : (null, null),
            "DELETED" => Selected(e.Object) ? ("DELETED", e.Object) : (null, null),
            _ when now && before => ("MODIFIED", e.Object),
            _ when now => ("ADDED", e.Object),
            _ when before => ("DELETED", WithResourceVersion(e.Previous!, e.ResourceVersion)),
            _ => (null, null),
        };
    }

    private static StoredObject WithResourceVersion(StoredObject o, long rv)
    {
        JsonObject json = o.ToJson();
        json["metadata"]!["resourceVersion"] = rv.ToString();
        return new StoredObject(o.Type, JsonUtil.ToBytes(json));
    }

    private static async Task WriteLineAsync(Stream body, string type, byte[] payload, CancellationToken ct, bool flush = true)
    {
        await body.WriteAsync(Encoding.UTF8.GetBytes($"{{\"type\":\"{type}\",\"object\":"), ct);
        await body.WriteAsync(payload, ct);
        await body.WriteAsync("}\n"u8.ToArray(), ct);
        if (flush) await body.FlushAsync(ct);
    }
}
