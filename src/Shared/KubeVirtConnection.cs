using System.Security;

namespace VmSnapshot;

/// <summary>How a <see cref="KubeVirtConnection"/> finds its cluster and credentials.</summary>
public enum ConnectionSource
{
    /// <summary>A kubeconfig file (or several merged through KUBECONFIG) and one of its contexts.</summary>
    Kubeconfig,

    /// <summary>An API server URI and a bearer token, as a runbook pulls them from a vault.</summary>
    Token,

    /// <summary>The service account of the pod the session runs in.</summary>
    InCluster,
}

/// <summary>
/// A connection to a Kubernetes cluster running KubeVirt, returned by <c>Connect-KubeVirt -PassThru</c> and
/// accepted by every cmdlet through <c>-Connection</c>. It never exposes its credential: the token is held as a
/// SecureString that is not a public member, so formatting, ConvertTo-Json and Export-Clixml cannot leak it.
/// </summary>
public sealed class KubeVirtConnection
{
    internal KubeVirtConnection(
        ConnectionSource source,
        Uri server,
        string? context,
        string @namespace,
        string? user,
        string? kubeconfigPath,
        bool skipTlsVerify,
        SecureString? token,
        string? certificateAuthorityPath)
    {
        Source = source;
        Server = server;
        Context = context;
        Namespace = @namespace;
        User = user;
        KubeconfigPath = kubeconfigPath;
        SkipTlsVerify = skipTlsVerify;
        Token = token;
        CertificateAuthorityPath = certificateAuthorityPath;
        ConnectedAt = DateTime.Now;
    }

    /// <summary>The API server.</summary>
    public Uri Server { get; }

    /// <summary>The kubeconfig context, when the connection came from a kubeconfig.</summary>
    public string? Context { get; }

    /// <summary>The default namespace of cmdlets that use this connection.</summary>
    public string Namespace { get; }

    /// <summary>Who the cluster sees: the kubeconfig user name or the token's subject, when known.</summary>
    public string? User { get; }

    /// <summary>Where the credentials came from.</summary>
    public ConnectionSource Source { get; }

    /// <summary>The kubeconfig file(s) read, separated by the platform's path separator.</summary>
    public string? KubeconfigPath { get; }

    /// <summary>True only when the kubeconfig itself asked for insecure-skip-tls-verify.</summary>
    public bool SkipTlsVerify { get; }

    /// <summary>When the connection was made (local time).</summary>
    public DateTime ConnectedAt { get; }

    /// <summary>The bearer token of a token connection. Internal so no output stream can show it.</summary>
    internal SecureString? Token { get; }

    /// <summary>A PEM file that holds the CA to trust for a token connection.</summary>
    internal string? CertificateAuthorityPath { get; }

    /// <summary>
    /// The engine's client for this connection, created on first use and shared by later cmdlets. Typed as object
    /// because this assembly must not reference KubernetesClient (it lives in the isolated load context).
    /// </summary>
    internal object? ClientCache { get; set; }

    /// <summary>Serialises creation of <see cref="ClientCache"/>.</summary>
    internal object SyncRoot { get; } = new();

    /// <summary>Set once the "TLS is not verified" warning was shown for this connection (once is enough).</summary>
    internal bool InsecureWarningShown { get; set; }

    /// <summary>How output objects name where they came from: the context, else the server.</summary>
    internal string Origin => Context ?? Server.ToString();

    /// <summary>
    /// Where <see cref="Namespace"/> came from, for Connect-KubeVirt to say ("set by context 'prod'", "context 'prod'
    /// sets none"): a runbook that forgot -Namespace should be able to see which namespace it got.
    /// </summary>
    internal string NamespaceOrigin { get; set; } = "-Namespace";

    /// <inheritdoc/>
    public override string ToString() => Context is null ? Server.ToString() : $"{Context} ({Server})";
}
