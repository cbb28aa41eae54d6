using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using VmSnapshot.Core.Connection;

namespace VmSnapshot.Core.Api;

/// <summary>
/// Calls the API paths KubernetesClient has no method for: KubeVirt's subresources.kubevirt.io (start, stop, freeze,
/// guestosinfo). It reuses the client's HttpClient (TLS settings, client certificates) and adds the bearer credential
/// the way the client's own requests carry it, because the HttpClient itself does not.
/// </summary>
public static class RawApi
{
    /// <summary>Sends a request; returns the parsed JSON body (null when empty) or throws <see cref="KubeApiException"/>.</summary>
    public static async Task<JsonElement?> SendAsync(KubeVirtConnection connection, HttpMethod method, string path,
        JsonNode? body, ApiRequest request, CancellationToken cancelToken)
    {
        KubeClientHandle handle = ConnectionFactory.ClientFor(connection);
        Kubernetes client = (Kubernetes)handle.Client;
        return await ApiCall.RunAsync(request, async ct =>
        {
            using HttpRequestMessage message = new(method, new Uri(client.BaseUri, path.TrimStart('/')));
            if (body is not null)
            {
                message.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            }

            await AuthorizeAsync(handle.Configuration, message, ct).ConfigureAwait(false);
            using HttpResponseMessage response = await client.HttpClient.SendAsync(message, ct).ConfigureAwait(false);
            string content = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw ApiErrorTranslator.FromResponse((int)response.StatusCode, content, request,
                    retryAfterHeader: response.Headers.TryGetValues("Retry-After", out IEnumerable<string>? values)
                        ? values.FirstOrDefault()
                        : null);
            }

            if (string.IsNullOrWhiteSpace(content))
            {
                return (JsonElement?)null;
            }

            using JsonDocument document = JsonDocument.Parse(content);
            return document.RootElement.Clone();
        }, cancelToken).ConfigureAwait(false);
    }

    private static async Task AuthorizeAsync(KubernetesClientConfiguration configuration, HttpRequestMessage message,
        CancellationToken cancelToken)
    {
        if (configuration.TokenProvider is { } provider)
        {
            message.Headers.Authorization = await provider.GetAuthenticationHeaderAsync(cancelToken).ConfigureAwait(false);
        }
        else if (!string.IsNullOrEmpty(configuration.AccessToken))
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", configuration.AccessToken);
        }
        else if (!string.IsNullOrEmpty(configuration.Username))
        {
            string basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{configuration.Username}:{configuration.Password}"));
            message.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
        }
    }
}
