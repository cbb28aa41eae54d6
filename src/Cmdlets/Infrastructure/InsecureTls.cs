using System.Management.Automation;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// A kubeconfig with insecure-skip-tls-verify: true, or an http:// server, sends the token to whoever answers or
/// reads along. kubectl accepts both silently; the module says so once per connection, where the user sees it (Connect-KubeVirt, or the first command that uses
/// such a kubeconfig context without Connect-KubeVirt).
/// </summary>
internal static class InsecureTls
{
    /// <summary>
    /// http:// to another machine: the token crosses the network in clear text. A loopback address (the lab, a
    /// kubectl proxy) keeps it on this machine.
    /// </summary>
    private static bool IsPlainHttp(KubeVirtConnection connection) =>
        connection.Server.Scheme == Uri.UriSchemeHttp && !connection.Server.IsLoopback;

    public static void WarnOnce(Cmdlet cmdlet, KubeVirtConnection connection)
    {
        lock (connection.SyncRoot)
        {
            if (!(connection.SkipTlsVerify || IsPlainHttp(connection)) || connection.InsecureWarningShown)
            {
                return;
            }

            connection.InsecureWarningShown = true;
        }

        if (IsPlainHttp(connection))
        {
            cmdlet.WriteWarning($"{connection.Server} is plain HTTP: the bearer token travels unencrypted to whoever " +
                "answers. Use the API server's https:// address (oc whoami --show-server shows it).");
            return;
        }

        cmdlet.WriteWarning($"TLS is not verified for {connection.Server} (insecure-skip-tls-verify in the kubeconfig): " +
            "anyone between you and the cluster can read your token. Put the cluster's CA in the kubeconfig " +
            "(certificate-authority-data) and remove insecure-skip-tls-verify.");
    }
}
