using k8s.Authentication;

namespace VmSnapshot.Core.Connection;

/// <summary>
/// A bearer token that can be read again from where it came from (an exec plugin, a token file, the kubeconfig), so a
/// token that expires or is rotated mid-run costs one re-read instead of a failed runbook.
/// </summary>
internal interface IRefreshableCredential : ITokenProvider
{
    /// <summary>
    /// The server refused <paramref name="rejected"/>: true when the credential now holds another token (read again from
    /// its source now, or already by a request refused a moment earlier), so the request is worth sending again.
    /// </summary>
    Task<bool> RefreshAsync(string? rejected, CancellationToken cancelToken);
}
