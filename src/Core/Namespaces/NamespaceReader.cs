using k8s;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;

namespace VmSnapshot.Core.Namespaces;

/// <summary>
/// Tells an empty namespace from one that does not exist. A list in a namespace that does not exist is an empty list
/// to the API server (kubectl prints "No resources found in typo namespace." and exits 0), so a misspelt -Namespace
/// would otherwise read as "nothing there" to a runbook.
/// </summary>
public static class NamespaceReader
{
    /// <summary>
    /// False only when the API server says the namespace does not exist; null when that cannot be told (a user without
    /// the right to read namespaces, as namespaced service accounts often are, or a read that failed), so the caller
    /// says nothing rather than guess.
    /// </summary>
    public static async Task<bool?> ExistsAsync(KubeVirtConnection connection, string @namespace, CancellationToken cancelToken)
    {
        IKubernetes client = ConnectionFactory.ClientFor(connection).Client;
        try
        {
            await ApiCall.RunAsync(new ApiRequest("get", ResourceType.Namespace, null, @namespace),
                ct => client.CoreV1.ReadNamespaceAsync(@namespace, cancellationToken: ct), cancelToken).ConfigureAwait(false);
            return true;
        }
        catch (KubeApiException e) when (e.Kind == ApiErrorKind.NotFound)
        {
            return false;
        }
        catch (KubeApiException)
        {
            return null;
        }
    }
}
