using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using VmSnapshot.Lab.Json;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Lab.Api;

internal sealed partial class ApiHandler
{
    private const string ContinueTooOld = "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

    private async Task GetAsync(RequestContext ctx, ResourceType type, ApiPath p)
    {
        StoredObject o = store.Find(type, p.Namespace, p.Name!) ?? throw Errors.NotFound(type, p.Name!);
        await SendObjectAsync(ctx, 200, o, p.Version);
    }

    private async Task ListAsync(RequestContext ctx, ResourceType type, ApiPath p)
    {
        string? include = ctx.WantsTable ? ctx.TableIncludeObject : null;
        LabelSelector labels = LabelSelector.Parse(ctx.Query["labelSelector"]);
        FieldSelector fields = FieldSelector.Parse(ctx.Query["fieldSelector"], type);
        long limit = 0L;
        if (ctx.Query["limit"] is { Length: > 0 } l && (!long.TryParse(l, out limit) || limit < 0))
            throw Errors.BadRequest($"limit: Invalid value: \"{l}\": must be a non-negative integer");

        // A continue token pins the snapshot of the first page: later pages are consistent with it.
        string? startKey = null;
        long listRv;
        System.Collections.Immutable.ImmutableSortedDictionary<string, StoredObject> snapshot;
        if (ctx.Query["continue"] is { Length: > 0 } token)
        {
            (listRv, startKey) = DecodeContinue(token);
            snapshot = store.SnapshotAt(type, listRv) ?? throw Errors.Expired(ContinueTooOld);
        }
        else
        {
            snapshot = store.Snapshot(type, out listRv);
        }

        List<StoredObject> page = new();
        long remaining = 0L;
        string? lastKey = null;
        bool filtered = !labels.IsEmpty || !fields.IsEmpty;
        foreach ((string? key, StoredObject? o) in snapshot)
        {
            if (startKey != null && string.CompareOrdinal(key, startKey) < 0) continue;
            if (p.Namespace != null && o.Namespace != p.Namespace) continue;
            if (!labels.Matches(o.Labels) || !fields.Matches(o)) continue;
            if (limit > 0 && page.Count >= limit)
            {
                remaining++;
                if (filtered) break; // with selectors the apiserver does not count the rest
                continue;
            }
            page.Add(o);
            lastKey = key;
        }

        JsonObject meta = new();
        if (remaining > 0)
        {
            meta["continue"] = EncodeContinue(listRv, lastKey! + "\u0000");
            if (!filtered) meta["remainingItemCount"] = remaining;
        }
        meta["resourceVersion"] = listRv.ToString();

        if (include != null)
        {
            JsonObject table = TableBuilder.Table(type, page.Select(o => AsVersion(o, p.Version)), meta, include);
            await SendJsonAsync(ctx.Response, 200, table, ctx.Cancellation);
            return;
        }

        // Stream the items' stored bytes straight out: no per-item re-serialization for big lists.
        Stream body = await ctx.Response.BeginChunkedAsync(200, "application/json", ctx.Cancellation, WarningHeaders(ctx));
        CancellationToken ct = ctx.Cancellation;
        await body.WriteAsync(Encoding.UTF8.GetBytes($"{{\"apiVersion\":\"{type.ApiVersionFor(p.Version)}\",\"items\":["), ct);
        for (int i = 0; i < page.Count; i++)
        {
            if (i > 0) await body.WriteAsync(","u8.ToArray(), ct);
            await body.WriteAsync(Encode(page[i], p.Version), ct);
        }
        await body.WriteAsync(Encoding.UTF8.GetBytes($"],\"kind\":\"{type.ListKind}\",\"metadata\":{JsonUtil.ToText(meta)}}}"), ct);
    }

    /// <summary>Same shape as the apiserver's token: base64 of {"v":"meta.k8s.io/v1","rv":N,"start":"key\u0000"}.</summary>
    private static string EncodeContinue(long rv, string start)
    {
        string json = JsonUtil.ToText(new JsonObject { ["v"] = "meta.k8s.io/v1", ["rv"] = rv, ["start"] = start });
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static (long Rv, string Start) DecodeContinue(string token)
    {
        try
        {
            string b64 = token.Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
            JsonNode node = JsonNode.Parse(Convert.FromBase64String(b64))!;
            if ((string?)node["v"] != "meta.k8s.io/v1") throw new FormatException("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
            return (node["rv"]!.GetValue<long>(), (string?)node["start"] ?? "");
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException or NullReferenceException)
        {
            throw Errors.BadRequest($"continue key is not valid: {ex.Message}");
        }
    }
}
