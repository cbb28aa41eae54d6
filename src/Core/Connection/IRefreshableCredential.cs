using k8s.Authentication;

namespace VmSnapshot.Core.Connection;

/// <summary>
/// A bearer token that can be read again from where it came from (an exec plugin, a token file, the kubeconfig), so a
/// token that expires or is rotated mid-run costs one re-read instead of a failed runbook.
/// </summary>
internal interface IRefreshableCredential : ITokenProvider
{
    /// <summary>Reads the token again from its source; true when that gave a different token (worth sending again).</summary>
    Task<bool> RefreshAsync(CancellationToken cancelToken);
}
