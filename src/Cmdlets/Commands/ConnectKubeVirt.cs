using System.Management.Automation;
using System.Security;
using VmSnapshot.Commands.Completers;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;

namespace VmSnapshot.Commands;

/// <summary>
/// <para type="synopsis">Connects the session to a KubeVirt cluster.</para>
/// <para type="description">Sets the session's default connection and namespace from a kubeconfig (default
/// ~/.kube/config, or several files merged through KUBECONFIG), from a server and bearer token (runbooks that pull
/// a token from a vault), or from the pod's service account. The connection is checked before it is kept.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "KubeVirt", DefaultParameterSetName = KubeconfigSet)]
[OutputType(typeof(KubeVirtConnection))]
public sealed class ConnectKubeVirtCommand : CancellableCmdlet
{
    private const string KubeconfigSet = "Kubeconfig";
    private const string TokenSet = "Token";
    private const string InClusterSet = "InCluster";

    #region Parameters

    /// <summary>
    /// <para type="description">Kubeconfig file(s) to read, merged as kubectl merges KUBECONFIG. Default: the files
    /// in KUBECONFIG, else ~/.kube/config.</para>
    /// </summary>
    [Parameter(ParameterSetName = KubeconfigSet)]
    [ValidateNotNullOrEmpty]
    public string[]? Kubeconfig { get; set; }

    /// <summary>
    /// <para type="description">The kubeconfig context to use. Default: the kubeconfig's current-context.</para>
    /// </summary>
    [Parameter(ParameterSetName = KubeconfigSet, Position = 0)]
    [ArgumentCompleter(typeof(KubeconfigContextCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Context { get; set; }

    /// <summary>
    /// <para type="description">The API server, e.g. https://api.cluster.example.com:6443.</para>
    /// </summary>
    [Parameter(ParameterSetName = TokenSet, Mandatory = true)]
    [ValidateNotNull]
    [ServerUriTransformation]
    public Uri? Server { get; set; }

    /// <summary>
    /// <para type="description">The bearer token, as a SecureString (e.g. from Get-Secret or
    /// Get-AzKeyVaultSecret). It is never written to any output stream.</para>
    /// </summary>
    [Parameter(ParameterSetName = TokenSet, Mandatory = true)]
    [ValidateNotNull]
    public SecureString? Token { get; set; }

    /// <summary>
    /// <para type="description">A PEM file with the certificate authority that signed the API server's certificate.
    /// Default: the system's trusted roots.</para>
    /// </summary>
    [Parameter(ParameterSetName = TokenSet)]
    [ValidateNotNullOrEmpty]
    public string? CertificateAuthority { get; set; }

    /// <summary>
    /// <para type="description">Use the service account of the pod this session runs in.</para>
    /// </summary>
    [Parameter(ParameterSetName = InClusterSet, Mandatory = true)]
    public SwitchParameter InCluster { get; set; }

    /// <summary>
    /// <para type="description">The session's default namespace. Default: the context's namespace, else 'default'.</para>
    /// </summary>
    [Parameter]
    [ValidateKubeName(KubeNameKind.Namespace)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NamespaceCompleter))]
    public string? Namespace { get; set; }

    /// <summary>
    /// <para type="description">How long the kubeconfig's exec credential plugin (kubelogin, aws eks get-token, ...) may
    /// run before it is stopped. Default: 60 seconds. Ctrl+C stops it at once.</para>
    /// </summary>
    [Parameter(ParameterSetName = KubeconfigSet)]
    [ValidateTimeSpan]
    public TimeSpan? CredentialTimeout { get; set; }

    /// <summary>
    /// <para type="description">Return the connection object, to pass to other cmdlets with -Connection.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        KubeVirtConnection connection;
        try
        {
            connection = ParameterSetName switch
            {
                TokenSet => ConnectionFactory.FromToken(Server!, Token!, ResolvePath(CertificateAuthority), Namespace),
                InClusterSet => ConnectionFactory.InCluster(Namespace),
                _ => FromKubeconfig(Kubeconfig?.Select(p => ResolvePath(p)!).ToArray()),
            };
        }
        catch (ConnectionException e)
        {
            ThrowTerminatingError(ErrorRecords.FromConnection(e));
            return;
        }

        InsecureTls.WarnOnce(this, connection);
        WriteVerbose($"Checking {connection.Server} as {connection.User ?? "the given credentials"} in namespace " +
            $"'{connection.Namespace}'.");
        try
        {
            Await(ServerProbe.CheckAsync(connection, CancelToken));
        }
        catch (KubeApiException e)
        {
            ThrowTerminatingError(ErrorRecords.FromApi(e, connection.Server));
        }

        SessionConnections.Current = connection;
        WriteVerbose($"Connected to {connection}; default namespace '{connection.Namespace}'.");
        if (PassThru)
        {
            WriteObject(connection);
        }
    }

    /// <summary>
    /// On a worker thread, so that Ctrl+C ends the command at once and kills a credential plugin that is still running.
    /// Paths are resolved before: the session state belongs to the pipeline thread.
    /// </summary>
    private KubeVirtConnection FromKubeconfig(string[]? paths) =>
        Await(Task.Run(() => ConnectionFactory.FromKubeconfig(paths, Context, Namespace, CredentialTimeout, CancelToken)));

    private string? ResolvePath(string? path) =>
        path is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
}
