using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using VmSnapshot.Core.Connection;

namespace VmSnapshot.Core.Api;

/// <summary>
/// Calls the API through the client's HttpClient (TLS settings, client certificates, the credential refresh handler)
/// where KubernetesClient has no method or its method costs too much: KubeVirt's subresources.kubevirt.io (start, stop,
/// freeze, guestosinfo) and list pages. The credential is added by the client's own <c>Credentials</c>, as
/// KubernetesClient's SendRequestRaw adds it to its requests, because the HttpClient itself does not.
/// </summary>
public static class RawApi
{
    /// <summary>Sends a request; returns the parsed JSON body (null when empty) or throws <see cref="KubeApiException"/>.</summary>
    public static async Task<JsonElement?> SendAsync(KubeVirtConnection connection, HttpMethod method, string path,
        JsonNode? body, ApiRequest request, CancellationToken cancelToken)
    {
        Kubernetes client = (Kubernetes)ConnectionFactory.ClientFor(connection).Client;
        return await ApiCall.RunAsync(request, async ct =>
        {
            using HttpRequestMessage message = new(method, new Uri(client.BaseUri, path.TrimStart('/')));
            if (body is not null)
            {
                message.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            }

            await AuthorizeAsync(client, message, ct).ConfigureAwait(false);
            using HttpResponseMessage response = await client.HttpClient.SendAsync(message, ct).ConfigureAwait(false);
            string content = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw Refusal(response, content, request);
            }

            if (string.IsNullOrWhiteSpace(content))
            {
                return (JsonElement?)null;
            }

            using JsonDocument document = JsonDocument.Parse(content);
            return document.RootElement.Clone();
        }, cancelToken).ConfigureAwait(false);
    }

    /// <summary>
    /// GETs a path and parses the answer as it streams in, into pooled buffers: the caller owns the document and
    /// returns the buffers by disposing it. One attempt; the caller runs it under <see cref="ApiCall"/>.
    /// </summary>
    /// <remarks>
    /// For list pages: KubernetesClient's CustomObjects list reads the answer into a JsonElement through
    /// JsonSerializer, which copies the page once more, and the copy of a page of 500 objects lands on the large
    /// object heap. The bench's list (build.ps1 -Task Bench) measures the difference.
    /// </remarks>
    internal static async Task<JsonDocument> GetDocumentAsync(IKubernetes client, string pathAndQuery,
        ApiRequest request, CancellationToken cancelToken)
    {
        Kubernetes kubernetes = (Kubernetes)client;
        using HttpRequestMessage message = new(HttpMethod.Get, new Uri(kubernetes.BaseUri, pathAndQuery));
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        await AuthorizeAsync(kubernetes, message, cancelToken).ConfigureAwait(false);

        // HttpClient's own timeout ends at the headers when the body is streamed: this one covers the body too.
        using CancellationTokenSource deadline = CancellationTokenSource.CreateLinkedTokenSource(cancelToken);
        deadline.CancelAfter(kubernetes.HttpClientTimeout);
        using HttpResponseMessage response = await kubernetes.HttpClient.SendAsync(message,
            HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw Refusal(response, await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false),
                request);
        }

        Stream body = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            return await JsonDocument.ParseAsync(body, default, deadline.Token).ConfigureAwait(false);
        }
    }

    private static async Task AuthorizeAsync(Kubernetes client, HttpRequestMessage message, CancellationToken cancelToken)
    {
        if (client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(message, cancelToken).ConfigureAwait(false);
        }
    }

    private static KubeApiException Refusal(HttpResponseMessage response, string content, ApiRequest request) =>
        ApiErrorTranslator.FromResponse((int)response.StatusCode, content, request,
            retryAfterHeader: response.Headers.TryGetValues("Retry-After", out IEnumerable<string>? values)
                ? values.FirstOrDefault()
                : null);
}
