using System.Runtime.CompilerServices;
using System.Text.Json;
using k8s;

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

    /// <summary>POSTs a new object; returns what the server stored.</summary>
    public static async Task<JsonElement> CreateAsync(IKubernetes client, ResourceType type, string @namespace,
        string name, object body, string fieldManager, CancellationToken cancelToken)
    {
        object created = await ApiCall.RunAsync(new ApiRequest("create", type, @namespace, name),
            ct => client.CustomObjects.CreateNamespacedCustomObjectAsync(body, type.Group, type.Version, @namespace,
                type.Plural, fieldManager: fieldManager, cancellationToken: ct), cancelToken).ConfigureAwait(false);
        return (JsonElement)created;
    }

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
