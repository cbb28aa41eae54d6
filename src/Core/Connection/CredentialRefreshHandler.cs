using System.Net;
using System.Net.Http;

namespace VmSnapshot.Core.Connection;

/// <summary>
/// Sits under KubernetesClient's HttpClient: when the server answers 401, the credential is read again from its
/// source once and, if that gave a new token, the request is sent again with it. Every call of the connection goes
/// through here (the client's own, RawApi's subresource calls, watches), so none needs to know.
/// </summary>
internal sealed class CredentialRefreshHandler(IRefreshableCredential credential) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // The body is kept so the request can be sent again (HttpClient sends a message only once).
        byte[]? body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        // Many requests in flight meet the expiry together: the first re-reads the token; the others find it already
        // different from the one they were sent with, and only send again.
        if (!await credential.RefreshAsync(request.Headers.Authorization?.Parameter, cancellationToken).ConfigureAwait(false))
        {
            return response;
        }

        response.Dispose();
        // Not disposed here: a watch's response streams on after this returns.
        HttpRequestMessage again = new(request.Method, request.RequestUri) { Version = request.Version };
        foreach (KeyValuePair<string, IEnumerable<string>> header in request.Headers)
        {
            again.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (body is not null)
        {
            again.Content = new ByteArrayContent(body);
            foreach (KeyValuePair<string, IEnumerable<string>> header in request.Content!.Headers)
            {
                again.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        foreach (KeyValuePair<string, object?> option in request.Options)
        {
            again.Options.Set(new HttpRequestOptionsKey<object?>(option.Key), option.Value);
        }

        again.Headers.Authorization = await credential.GetAuthenticationHeaderAsync(cancellationToken).ConfigureAwait(false);
        return await base.SendAsync(again, cancellationToken).ConfigureAwait(false);
    }
}
