using System.Net.Http.Headers;
using k8s.Authentication;

namespace VmSnapshot.Core.Connection;

/// <summary>
/// A token read from a file that something else rotates: a kubeconfig user's tokenFile, or a pod's projected service
/// account token. Like KubernetesClient's TokenFileAuth it re-reads the file every minute; unlike it, it can be told to
/// re-read at once when the server refuses the token.
/// </summary>
internal sealed class TokenFileCredential(string path) : IRefreshableCredential
{
    private static readonly TimeSpan s_reread = TimeSpan.FromMinutes(1);
    private readonly SemaphoreSlim _reading = new(1, 1);
    private volatile string _token = string.Empty;
    private DateTimeOffset _readAt = DateTimeOffset.MinValue;

    public async Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken)
    {
        if (DateTimeOffset.UtcNow - _readAt > s_reread)
        {
            await ReadAsync(cancellationToken).ConfigureAwait(false);
        }

        return new AuthenticationHeaderValue("Bearer", _token);
    }

    public async Task<bool> RefreshAsync(string? rejected, CancellationToken cancelToken)
    {
        if (!string.Equals(_token, rejected, StringComparison.Ordinal))
        {
            return true; // already read again for a request refused a moment earlier
        }

        await ReadAsync(cancelToken).ConfigureAwait(false);
        return !string.Equals(_token, rejected, StringComparison.Ordinal);
    }

    private async Task ReadAsync(CancellationToken cancelToken)
    {
        await _reading.WaitAsync(cancelToken).ConfigureAwait(false);
        try
        {
            _token = (await File.ReadAllTextAsync(path, cancelToken).ConfigureAwait(false)).Trim();
            _readAt = DateTimeOffset.UtcNow;
        }
        finally
        {
            _reading.Release();
        }
    }
}
