using System.Management.Automation;
using System.Security;
using VmSnapshot.Commands.Completers;
using VmSnapshot.Commands.Infrastructure;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;
using VmSnapshot.Core.Namespaces;

namespace VmSnapshot.Commands;

[Cmdlet(VerbsCommunications.Connect, "KubeVirt", DefaultParameterSetName = KubeconfigSet,
    HelpUri = HelpPages.Online + "Connect-KubeVirt.md")]
[OutputType(typeof(KubeVirtConnection))]
public sealed class ConnectKubeVirtCommand : CancellableCmdlet
{
    private const string KubeconfigSet = "Kubeconfig";
    private const string TokenSet = "Token";
    private const string InClusterSet = "InCluster";

    #region Parameters

    [Parameter(ParameterSetName = KubeconfigSet)]
    [ValidateNotNullOrEmpty]
    public string[]? Kubeconfig { get; set; }

    [Parameter(ParameterSetName = KubeconfigSet, Position = 0)]
    [ArgumentCompleter(typeof(KubeconfigContextCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Context { get; set; }

    // Empty and null are let through binding on purpose: refused in EndProcessing (InvalidServerUri, TokenMissing), a
    // failed connect also ends the previous one, where a binding error left the session on the cluster before.
    [Parameter(ParameterSetName = TokenSet, Mandatory = true)]
    [AllowNull]
    [AllowEmptyString]
    public string? Server { get; set; }

    [Parameter(ParameterSetName = TokenSet, Mandatory = true)]
    [AllowNull]
    public SecureString? Token { get; set; }

    [Parameter(ParameterSetName = TokenSet)]
    [ValidateNotNullOrEmpty]
    public string? CertificateAuthority { get; set; }

    [Parameter(ParameterSetName = InClusterSet, Mandatory = true)]
    public SwitchParameter InCluster { get; set; }

    [Parameter]
    [ValidateKubeName(KubeNameKind.Namespace)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(NamespaceCompleter))]
    public string? Namespace { get; set; }

    [Parameter(ParameterSetName = KubeconfigSet)]
    [ValidateTimeSpan]
    public TimeSpan? CredentialTimeout { get; set; }

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
                TokenSet => ConnectionFactory.FromToken(ConnectionFactory.ParseServer(Server), Token, ResolvePath(CertificateAuthority), Namespace),
                InClusterSet => ConnectionFactory.InCluster(Namespace),
                _ => FromKubeconfig(Kubeconfig?.Select(p => ResolvePath(p)!).ToArray()),
            };
        }
        catch (ConnectionException e)
        {
            SessionConnections.ClearAfterFailedConnect(DescribeTarget());
            ThrowTerminatingError(ErrorRecords.FromConnection(e));
            return;
        }

        InsecureTls.WarnOnce(this, connection);
        WriteVerbose($"Checking {connection.Server} {(connection.User is { } user ? $"as {user}" : "with the given credentials")} in namespace " +
            $"'{connection.Namespace}'.");
        bool holdsSnapshots = false;
        try
        {
            holdsSnapshots = Await(ServerProbe.CheckAsync(connection, CancelToken));
        }
        catch (KubeApiException e)
        {
            SessionConnections.ClearAfterFailedConnect(connection.ToString());
            ThrowTerminatingError(ErrorRecords.FromApi(e, connection.Server));
        }

        // The list answers alike for an empty namespace and a missing one; only then is the namespace itself read. The
        // connection still stands (the namespace may be created later, as kubectl config set-context allows).
        if (!holdsSnapshots && Await(NamespaceReader.ExistsAsync(connection, connection.Namespace, CancelToken)) == false)
        {
            WriteWarning($"Namespace '{connection.Namespace}' ({connection.NamespaceOrigin}) does not exist on {connection.Server}: " +
                "commands without -Namespace will find nothing there. Connect again with -Namespace to work in another.");
        }

        SessionConnections.Current = connection;
        string connected = $"Connected to {connection}; namespace '{connection.Namespace}' ({connection.NamespaceOrigin}).";
        WriteVerbose(connected);
        if (!MyInvocation.BoundParameters.ContainsKey(nameof(Namespace)))
        {
            // The namespace every later command works in was chosen for the caller: say which, where it can be seen
            // (-InformationAction Continue, -InformationVariable) without printing anything in a runbook by default.
            WriteInformation($"{connected} Pass -Namespace to work in another.", ["VmSnapshot", "Namespace"]);
        }

        if (PassThru)
        {
            WriteObject(connection);
        }
    }

    /// <summary>
    /// On a worker thread, so that Ctrl+C ends the command at once and kills a credential plugin that is still running.
    /// Paths are resolved before: the session state belongs to the pipeline thread.
    /// </summary>
    /// <summary>What the failed connect was aimed at, for the refusals that follow it (no credential in it).</summary>
    private string DescribeTarget() => ParameterSetName switch
    {
        TokenSet => string.IsNullOrWhiteSpace(Server) ? "an empty -Server" : ConnectionFactory.RedactUserInfo(Server),
        InClusterSet => "the pod's service account",
        _ => Context is { } context ? $"context '{context}'" : Kubeconfig is { Length: > 0 } files ? string.Join(", ", files) : "the kubeconfig",
    };

    private KubeVirtConnection FromKubeconfig(string[]? paths) =>
        Await(Task.Run(() => ConnectionFactory.FromKubeconfig(paths, Context, Namespace, CredentialTimeout, CancelToken)));

    private string? ResolvePath(string? path) =>
        path is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
}
