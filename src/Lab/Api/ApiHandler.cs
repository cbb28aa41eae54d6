using System.Text.Json.Nodes;
using VmSnapshot.Lab.Auth;
using VmSnapshot.Lab.Http;
using VmSnapshot.Lab.Json;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Lab.Api;

/// <summary>
/// The apiserver's request pipeline: anonymous /version, authentication (401), discovery and OpenAPI,
/// then resource requests with RBAC-style authorization (403) and the generic registry verbs.
/// Every refusal is an ApiException turned into its Status; anything else becomes a 500 InternalError.
/// </summary>
internal sealed partial class ApiHandler(LabStore store, Authenticator authenticator, CancellationToken stopping)
{
    private long _requestCount;
    private ResourceCatalog Catalog => store.Catalog;

    public long RequestCount => Interlocked.Read(ref _requestCount);

    public async Task HandleAsync(HttpRequest request, HttpResponse response, CancellationToken ct)
    {
        Interlocked.Increment(ref _requestCount);
        try
        {
            await DispatchAsync(request, response, ct);
        }
        catch (ApiException ex) when (!response.Started)
        {
            await SendJsonAsync(response, ex.Code, ex.Status, ct);
        }
        catch (Exception ex) when (!response.Started && ex is not (OperationCanceledException or IOException))
        {
            // Never an empty 500: kubectl would print 'an error on the server ("") has prevented the request from succeeding'.
            ApiException error = Errors.Internal(ex.Message);
            await SendJsonAsync(response, 500, error.Status, ct);
        }
    }

    private async Task DispatchAsync(HttpRequest req, HttpResponse resp, CancellationToken ct)
    {
        string path = req.Path.Length > 1 ? req.Path.TrimEnd('/') : req.Path;

        // system:unauthenticated may read /version (the kubectl dispatcher calls it without credentials) and health.
        if (path == "/version" && req.Method == "GET") { await SendJsonAsync(resp, 200, Discovery.Version(), ct); return; }
        if (path is "/healthz" or "/livez" or "/readyz" && req.Method == "GET") { await resp.SendAsync(200, "ok"u8.ToArray(), "text/plain; charset=utf-8", ct); return; }

        LabUser user = authenticator.Authenticate(req.Header("Authorization")) ?? throw Errors.Unauthorized();
        RequestContext ctx = new(req, resp, user, ct);
        if (await store.AggregatedApis.TryServeAsync(ctx, path)) return; // groups an extension apiserver serves behind an APIService

        if (req.Method == "GET" && await TryServeDiscoveryAsync(ctx, path)) return;

        ApiPath apiPath = ApiPath.Parse(path) ?? throw Errors.UnknownPath();
        ResourceType type = Catalog.Find(apiPath.Group, apiPath.Version, apiPath.Plural) ?? throw Errors.UnknownPath();
        if (apiPath.Namespace != null && !type.Namespaced) throw Errors.UnknownPath();
        if (apiPath.Namespace == null && type.Namespaced && apiPath.Name != null) throw Errors.UnknownPath();
        if (apiPath.Subresource != null && apiPath.Name != null && type.ConnectSubresources.ContainsKey(apiPath.Subresource))
        {
            await ConnectAsync(ctx, type, apiPath);
            return;
        }
        if (apiPath.Subresource != null && (apiPath.Subresource != "status" || !type.HasStatus)) throw Errors.UnknownPath();
        if (type.DeprecatedVersions.TryGetValue(apiPath.Version, out string? deprecation)) ctx.Warnings.Add(deprecation);

        if (type.CreateOnly)
        {
            if (req.Method != "POST" || apiPath.Name != null) throw Errors.MethodNotAllowed();
            switch (type.Kind)
            {
                case "SelfSubjectReview": await CreateSelfSubjectReviewAsync(ctx, type, apiPath); break;
                case "SelfSubjectRulesReview": await CreateRulesReviewAsync(ctx, type, apiPath); break;
                default: await CreateAccessReviewAsync(ctx, type, apiPath); break;
            }
            return;
        }

        bool isItem = apiPath.Name != null;
        bool watch = req.Method == "GET" && ctx.Query.Bool("watch") == true;
        string verb = (req.Method, isItem) switch
        {
            ("GET", true) => watch ? "watch" : "get",
            ("GET", false) => watch ? "watch" : "list",
            ("POST", false) => "create",
            ("PUT", true) => "update",
            ("PATCH", true) => "patch",
            ("DELETE", true) => "delete",
            ("DELETE", false) => "deletecollection",
            _ => throw Errors.MethodNotAllowed(),
        };
        Authorize(user, verb, type, apiPath);

        switch (verb)
        {
            case "get": await GetAsync(ctx, type, apiPath); break;
            case "list": await ListAsync(ctx, type, apiPath); break;
            case "watch": await WatchAsync(ctx, type, apiPath); break;
            case "create": await CreateAsync(ctx, type, apiPath); break;
            case "update": await UpdateAsync(ctx, type, apiPath); break;
            case "patch": await PatchAsync(ctx, type, apiPath); break;
            case "delete": await DeleteAsync(ctx, type, apiPath); break;
            case "deletecollection": await DeleteCollectionAsync(ctx, type, apiPath); break;
        }
    }

    private static void Authorize(LabUser user, string verb, ResourceType type, ApiPath p)
    {
        string resource = p.Subresource == null ? type.Plural : $"{type.Plural}/{p.Subresource}";
        // A namespaced watch/list through the all-namespaces path is checked at cluster scope, like RBAC does.
        string? ns = type.Plural == "namespaces" ? p.Name : p.Namespace;
        if (!user.Can(verb, type.Group, resource, p.Name))
            throw Errors.Forbidden(user.Name, verb, type.Group, type.Plural, p.Subresource, p.Name, type.Namespaced || type.Plural == "namespaces" ? ns : null);
    }

    private async Task<bool> TryServeDiscoveryAsync(RequestContext ctx, string path)
    {
        JsonObject? body = path switch
        {
            "/api" => Discovery.CoreVersions(),
            "/apis" => store.AggregatedApis.AddGroups(Discovery.GroupList(Catalog)),
            "/api/v1" => Discovery.ResourceList(Catalog, "", "v1"),
            "/openapi/v3" => OpenApi.Root(Catalog),
            _ when path.StartsWith("/openapi/v3/", StringComparison.Ordinal) => OpenApi.GroupVersion(Catalog, path["/openapi/v3/".Length..]) ?? throw Errors.UnknownPath(),
            _ when path.StartsWith("/apis/", StringComparison.Ordinal) => DiscoveryForGroupPath(path),
            _ => null,
        };
        if (body == null) return false;
        await SendJsonAsync(ctx.Response, 200, body, ctx.Cancellation);
        return true;
    }

    private JsonObject? DiscoveryForGroupPath(string path)
    {
        string[] parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length switch
        {
            2 => Discovery.Group(Catalog, parts[1]) ?? throw Errors.UnknownPath(),
            3 => Discovery.ResourceList(Catalog, parts[1], parts[2]) ?? throw Errors.UnknownPath(),
            _ => null,
        };
    }

    internal static Task SendJsonAsync(HttpResponse resp, int code, JsonNode body, CancellationToken ct)
        => resp.SendAsync(code, JsonUtil.ToBytes(body), "application/json", ct);

    /// <summary>The object's JSON at the version the client asked for (v1alpha1 and v1beta1 share one schema).</summary>
    private static byte[] Encode(StoredObject o, string version)
    {
        if (version == o.Type.StorageVersion) return o.Json;
        JsonObject copy = o.ToJson();
        copy["apiVersion"] = o.Type.ApiVersionFor(version);
        return JsonUtil.ToBytes(copy);
    }

    private static JsonObject AsVersion(StoredObject o, string version)
    {
        JsonObject copy = o.ToJson();
        copy["apiVersion"] = o.Type.ApiVersionFor(version);
        return copy;
    }

    private static Task SendObjectAsync(RequestContext ctx, int code, StoredObject o, string version)
    {
        if (ctx.WantsTable)
        {
            JsonObject table = TableBuilder.Table(o.Type, [AsVersion(o, version)], new JsonObject { ["resourceVersion"] = o.ResourceVersion.ToString() }, ctx.TableIncludeObject);
            return ctx.Response.SendAsync(code, JsonUtil.ToBytes(table), "application/json", ctx.Cancellation, WarningHeaders(ctx));
        }
        return ctx.Response.SendAsync(code, Encode(o, version), "application/json", ctx.Cancellation, WarningHeaders(ctx));
    }

    internal static IEnumerable<KeyValuePair<string, string>> WarningHeaders(RequestContext ctx)
        => ctx.Warnings.Select(w => new KeyValuePair<string, string>("Warning", "299 - \"" + w.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\""));
}
