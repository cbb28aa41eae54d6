using System.Runtime.CompilerServices;
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
    /// Lists objects with limit/continue and yields them as soon as their page arrives. The next page is requested
    /// before the current one is handed out, so the pipeline works on page N while page N+1 is on the wire.
    /// </summary>
    public static async IAsyncEnumerable<JsonElement> ListAsync(IKubernetes client, ResourceType type,
        string? @namespace, string? labelSelector, string? fieldSelector, int pageSize,
        [EnumeratorCancellation] CancellationToken cancelToken)
    {
        ApiRequest request = new("list", type, @namespace);
        Task<JsonElement> next = FetchPageAsync(client, type, @namespace, labelSelector, fieldSelector, pageSize,
            continueToken: null, request, cancelToken);
        while (true)
        {
            JsonElement page = await next.ConfigureAwait(false);
            string? continueToken = page.TryGetProperty("metadata", out JsonElement metadata) &&
                metadata.TryGetProperty("continue", out JsonElement token) &&
                token.ValueKind == JsonValueKind.String && token.GetString() is { Length: > 0 } value
                    ? value
                    : null;
            if (continueToken is not null)
            {
                next = FetchPageAsync(client, type, @namespace, labelSelector, fieldSelector, pageSize, continueToken,
                    request, cancelToken);
            }

            if (page.TryGetProperty("items", out JsonElement items) && items.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement item in items.EnumerateArray())
                {
                    yield return item;
                }
            }

            if (continueToken is null)
            {
                yield break;
            }
        }
    }

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

    private static Task<JsonElement> FetchPageAsync(IKubernetes client, ResourceType type, string? @namespace,
        string? labelSelector, string? fieldSelector, int pageSize, string? continueToken, ApiRequest request,
        CancellationToken cancelToken) =>
        ApiCall.RunAsync(request, async ct =>
        {
            object page = @namespace is null
                ? await client.CustomObjects.ListClusterCustomObjectAsync(type.Group, type.Version, type.Plural,
                    continueParameter: continueToken, fieldSelector: fieldSelector, labelSelector: labelSelector,
                    limit: pageSize, cancellationToken: ct).ConfigureAwait(false)
                : await client.CustomObjects.ListNamespacedCustomObjectAsync(type.Group, type.Version, @namespace,
                    type.Plural, continueParameter: continueToken, fieldSelector: fieldSelector,
                    labelSelector: labelSelector, limit: pageSize, cancellationToken: ct).ConfigureAwait(false);
            return (JsonElement)page;
        }, cancelToken);
}
