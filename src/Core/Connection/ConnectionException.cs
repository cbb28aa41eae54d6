namespace VmSnapshot.Core.Connection;

/// <summary>Why a connection could not be made from the given kubeconfig, token or pod environment.</summary>
public enum ConnectionFailure
{
    /// <summary>No kubeconfig exists where one was expected.</summary>
    KubeconfigNotFound,

    /// <summary>The kubeconfig could not be read or lacks what is needed.</summary>
    KubeconfigInvalid,

    /// <summary>The requested context is not in the kubeconfig.</summary>
    ContextNotFound,

    /// <summary>-InCluster outside a pod.</summary>
    NotInCluster,

    /// <summary>The certificate authority file could not be read.</summary>
    CertificateAuthorityInvalid,

    /// <summary>-Server is not an absolute http(s) URI.</summary>
    InvalidServerUri,

    /// <summary>-Token is null or empty (a vault lookup that found nothing).</summary>
    TokenMissing,

    /// <summary>The kubeconfig's exec credential plugin failed, timed out or printed no token.</summary>
    CredentialPluginFailed,

    /// <summary>The session's connection was to a lab that was stopped; nothing else was chosen since.</summary>
    LabStopped,

    /// <summary>The session's last Connect-KubeVirt failed; nothing else was chosen since.</summary>
    LastConnectFailed,
}

/// <summary>A connection could not be built. Messages name files and contexts, never credentials.</summary>
public sealed class ConnectionException : Exception
{
    public ConnectionException(ConnectionFailure failure, string message, string? target, Exception? inner = null)
        : base(message, inner)
    {
        Failure = failure;
        Target = target;
    }

    /// <summary>The classification.</summary>
    public ConnectionFailure Failure { get; }

    /// <summary>The file, context or server concerned.</summary>
    public string? Target { get; }
}
