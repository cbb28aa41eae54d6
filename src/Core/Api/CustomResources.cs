using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Api;

/// <summary>Reads custom resources as raw JSON, page by page.</summary>
internal static class CustomResources
{
    /// <summary>
    /// Lists objects with limit/continue and yields them as soon as their page arrives. Items stay valid after
    /// their page: a caller may keep them.
    /// </summary>
    public static async IAsyncEnumerable<JsonElement> ListAsync(IKubernetes client, ResourceType type,
        string? @namespace, string? labelSelector, string? fieldSelector, int pageSize,
        [EnumeratorCancellation] CancellationToken cancelToken)
    {
        await foreach (JsonDocument page in ListPagesAsync(client, type, @namespace, labelSelector, fieldSelector,
                           pageSize, cancelToken).ConfigureAwait(false))
        {
            // Not disposed: an item handed out reads from its page's buffers for as long as the caller keeps it.
            foreach (JsonElement item in Items(page))
            {
                yield return item;
            }
        }
    }

    /// <summary>
    /// Lists pages with limit/continue. The next page is requested before the current one is handed out, so the
    /// caller works on page N while page N+1 is on the wire. The caller owns each page: one that is done with a
    /// page's items when it moves on disposes it, which returns its buffers to the pool.
    /// </summary>
    public static async IAsyncEnumerable<JsonDocument> ListPagesAsync(IKubernetes client, ResourceType type,
        string? @namespace, string? labelSelector, string? fieldSelector, int pageSize,
        [EnumeratorCancellation] CancellationToken cancelToken)
    {
        ApiRequest request = new("list", type, @namespace);
        Task<JsonDocument> next = FetchPageAsync(client, ListPath(type, @namespace, labelSelector, fieldSelector,
            pageSize, continueToken: null), request, cancelToken);
        while (true)
        {
            JsonDocument page = await next.ConfigureAwait(false);
            string? continueToken = page.RootElement.Child("metadata"u8).String("continue"u8) is { Length: > 0 } value
                ? value
                : null;
            if (continueToken is not null)
            {
                next = FetchPageAsync(client, ListPath(type, @namespace, labelSelector, fieldSelector, pageSize,
                    continueToken), request, cancelToken);
            }

            yield return page;
            if (continueToken is null)
            {
                yield break;
            }
        }
    }

    /// <summary>The items of a list page.</summary>
    public static JsonElement.ArrayEnumerator Items(JsonDocument page) =>
        page.RootElement.Child("items"u8) is { ValueKind: JsonValueKind.Array } items ? items.EnumerateArray() : default;

    /// <summary>
    /// The annotation that marks an object as made by one particular create call (a new GUID per call), so a create
    /// that is sent again can tell its own object from someone else's of the same name.
    /// </summary>
    public const string RequestIdAnnotation = "vmsnapshot.io/request-id";

    /// <summary>
    /// POSTs a new object exactly once; returns what the server stored. When an attempt's answer is lost (the
    /// connection dropped, a 500 or a timeout after the server may have stored it), the object is looked up by its
    /// name and request id before the create is sent again, so a retry never makes a second object and never reports
    /// someone else's object as its own.
    /// </summary>
    public static async Task<JsonElement> CreateAsync(IKubernetes client, ResourceType type, string @namespace,
        string name, JsonObject body, string fieldManager, CancellationToken cancelToken)
    {
        string requestId = Guid.NewGuid().ToString("N");
        JsonObject marked = body.DeepClone().AsObject();
        JsonObject metadata = marked["metadata"] as JsonObject ?? new JsonObject();
        marked["metadata"] = metadata;
        JsonObject annotations = metadata["annotations"] as JsonObject ?? new JsonObject();
        metadata["annotations"] = annotations;
        annotations[RequestIdAnnotation] = requestId;

        return await ApiCall.RunAsync(new ApiRequest("create", type, @namespace, name), async (attempt, ct) =>
        {
            if (attempt > 1 && await FindOwnAsync(client, type, @namespace, name, requestId, ct).ConfigureAwait(false) is { } earlier)
            {
                return earlier;
            }

            try
            {
                object created = await client.CustomObjects.CreateNamespacedCustomObjectAsync(marked, type.Group,
                    type.Version, @namespace, type.Plural, fieldManager: fieldManager, cancellationToken: ct).ConfigureAwait(false);
                return (JsonElement)created;
            }
            catch (HttpOperationException e) when ((int)e.Response.StatusCode is 400 or 403 or 409 or 422)
            {
                // HttpClient sends a request again by itself when a kept-alive connection drops before any byte of the
                // answer; the copy is then refused (AlreadyExists, or a webhook that sees the first one in progress).
                // If the object the refusal is about is ours, the create worked.
                if (await FindOwnAsync(client, type, @namespace, name, requestId, ct).ConfigureAwait(false) is { } own)
                {
                    return own;
                }

                throw;
            }
        }, cancelToken).ConfigureAwait(false);
    }

    private static async Task<JsonElement?> FindOwnAsync(IKubernetes client, ResourceType type, string @namespace,
        string name, string requestId, CancellationToken cancelToken) =>
        await GetAsync(client, type, @namespace, name, cancelToken).ConfigureAwait(false) is { } existing &&
        existing.Child("metadata").Child("annotations").String(RequestIdAnnotation) == requestId
            ? existing
            : null;

    /// <summary>Gets one object; null when it does not exist.</summary>
    public static async Task<JsonElement?> GetAsync(IKubernetes client, ResourceType type, string @namespace,
        string name, CancellationToken cancelToken)
    {
        // An empty name would turn the GET into a LIST of the whole collection.
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ApiRequest request = new("get", type, @namespace, name);
        try
        {
            object result = await ApiCall.RunAsync(request, ct => client.CustomObjects.GetNamespacedCustomObjectAsync(
                type.Group, type.Version, @namespace, type.Plural, name, ct), cancelToken).ConfigureAwait(false);
            return (JsonElement)result;
        }
        catch (KubeApiException e) when (e.Kind == ApiErrorKind.NotFound && e.Reason == "NotFound" &&
                                         e.Message.Contains($"\"{name}\"", StringComparison.Ordinal))
        {
            // Only the object's own 404 means "absent"; a 404 for the whole API (KubeVirt not installed)
            // says "the server could not find the requested resource" and is passed on.
            return null;
        }
    }

    private static Task<JsonDocument> FetchPageAsync(IKubernetes client, string pathAndQuery, ApiRequest request,
        CancellationToken cancelToken) =>
        ApiCall.RunAsync(request, ct => RawApi.GetDocumentAsync(client, pathAndQuery, request, ct), cancelToken);

    /// <summary>The list URL as KubernetesClient's CustomObjects list builds it (AbstractKubernetes.CustomObjects.cs).</summary>
    private static string ListPath(ResourceType type, string? @namespace, string? labelSelector, string? fieldSelector,
        int pageSize, string? continueToken)
    {
        StringBuilder path = new(type.Group.Length == 0 ? $"api/{type.Version}/" : $"apis/{type.Group}/{type.Version}/");
        if (@namespace is not null)
        {
            path.Append("namespaces/").Append(Uri.EscapeDataString(@namespace)).Append('/');
        }

        path.Append(type.Plural).Append("?limit=").Append(pageSize.ToString(CultureInfo.InvariantCulture));
        AppendQuery(path, "continue", continueToken);
        AppendQuery(path, "fieldSelector", fieldSelector);
        AppendQuery(path, "labelSelector", labelSelector);
        return path.ToString();
    }

    private static void AppendQuery(StringBuilder path, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            path.Append('&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }
    }
}
