using System.Net.Http.Headers;

namespace VmSnapshot.Core.Connection;

/// <summary>
/// A token written into the kubeconfig itself (users[].user.token), as `oc login` writes it. When the server refuses it,
/// the kubeconfig is read again: a new `oc login` in another window then rescues a long runbook.
/// </summary>
internal sealed class KubeconfigTokenCredential(string token, Func<string?> reread) : IRefreshableCredential
{
    private readonly object _sync = new();
    private volatile string _token = token;

    public Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new AuthenticationHeaderValue("Bearer", _token));

    public Task<bool> RefreshAsync(string? rejected, CancellationToken cancelToken)
    {
        lock (_sync)
        {
            if (!string.Equals(_token, rejected, StringComparison.Ordinal))
            {
                return Task.FromResult(true); // already read again for a request refused a moment earlier
            }

            string? current;
            try
            {
                current = reread();
            }
            catch (Exception e) when (e is ConnectionException or IOException)
            {
                return Task.FromResult(false); // the file is being rewritten or is gone: the 401 stands
            }

            if (string.IsNullOrEmpty(current) || string.Equals(current, rejected, StringComparison.Ordinal))
            {
                return Task.FromResult(false);
            }

            _token = current;
            return Task.FromResult(true);
        }
    }
}
