using System.Management.Automation;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// A kubeconfig with insecure-skip-tls-verify: true sends the token to whoever answers. kubectl accepts it silently;
/// the module says so once per connection, where the user sees it (Connect-KubeVirt, or the first command that uses
/// such a kubeconfig context without Connect-KubeVirt).
/// </summary>
internal static class InsecureTls
{
    public static void WarnOnce(Cmdlet cmdlet, KubeVirtConnection connection)
    {
        lock (connection.SyncRoot)
        {
            if (!connection.SkipTlsVerify || connection.InsecureWarningShown)
            {
                return;
            }

            connection.InsecureWarningShown = true;
        }

        cmdlet.WriteWarning($"TLS is not verified for {connection.Server} (insecure-skip-tls-verify in the kubeconfig): " +
            "anyone between you and the cluster can read your token. Put the cluster's CA in the kubeconfig " +
            "(certificate-authority-data) and remove insecure-skip-tls-verify.");
    }
}
