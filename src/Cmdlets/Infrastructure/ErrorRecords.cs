using System.Management.Automation;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;
using VmSnapshot.Core.Health;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// The one mapping from engine failures to ErrorRecords: stable ErrorId, the right category, a target object and a
/// recommended action that says what to do next.
/// </summary>
internal static class ErrorRecords
{
    public static ErrorRecord FromApi(KubeApiException e, object? target)
    {
        (string id, ErrorCategory category, string action) = e.Kind switch
        {
            ApiErrorKind.NotFound => (ErrorIds.ObjectNotFound, ErrorCategory.ObjectNotFound,
                "Check the name and namespace. If the API itself is missing, KubeVirt may not be installed on this cluster."),
            ApiErrorKind.AlreadyExists => (ErrorIds.ResourceExists, ErrorCategory.ResourceExists,
                "Choose another name, or remove the existing object first."),
            ApiErrorKind.Conflict => (ErrorIds.Conflict, ErrorCategory.ResourceBusy,
                "The object changed while it was being updated. Run the command again."),
            ApiErrorKind.Unauthorized => (ErrorIds.Unauthorized, ErrorCategory.PermissionDenied,
                "Get a fresh token or kubeconfig and run Connect-KubeVirt again."),
            ApiErrorKind.Forbidden => (ErrorIds.Forbidden, ErrorCategory.PermissionDenied,
                $"Ask a cluster administrator for a Role that allows you to {e.Request.Describe()}."),
            ApiErrorKind.Invalid => (ErrorIds.InvalidRequest, ErrorCategory.InvalidArgument,
                "Correct the values the server named and try again."),
            ApiErrorKind.Timeout => (ErrorIds.OperationTimeout, ErrorCategory.OperationTimeout,
                "The cluster is slow or overloaded. Try again, or raise -Timeout where the command has one."),
            ApiErrorKind.TlsFailure => (ErrorIds.TlsFailure, ErrorCategory.SecurityError,
                "Trust the cluster's CA: -CertificateAuthority PATH, or certificate-authority-data in the kubeconfig (oc get configmap kube-root-ca.crt)."),
            ApiErrorKind.Throttled => (ErrorIds.ApiThrottled, ErrorCategory.LimitsExceeded,
                "The cluster is busy (API Priority and Fairness). Wait a little and run the command again, or lower -ThrottleLimit where the command has one."),
            ApiErrorKind.Unreachable when e.ConnectionRefused => (ErrorIds.ClusterUnreachable, ErrorCategory.ConnectionError,
                "Nothing accepts connections at that address: check the server address and port, and that the API server (or the lab) is running."),
            ApiErrorKind.Unreachable => (ErrorIds.ClusterUnreachable, ErrorCategory.ConnectionError,
                "Check the server address and your network path to it (a proxy or load balancer that drops connections), and that the API server is up; then run the command again."),
            _ => (ErrorIds.ApiServerError, ErrorCategory.InvalidResult,
                "The API server failed to answer the request. Try again; if it persists, check the cluster's health."),
        };

        return Create(e, id, category, target ?? e.Request.Name, action);
    }

    public static ErrorRecord FromConnection(ConnectionException e)
    {
        (string id, ErrorCategory category, string action) = e.Failure switch
        {
            ConnectionFailure.KubeconfigNotFound => (ErrorIds.KubeconfigNotFound, ErrorCategory.ObjectNotFound,
                "Pass -Kubeconfig PATH, set KUBECONFIG, or connect with -Server and -Token."),
            ConnectionFailure.ContextNotFound => (ErrorIds.ContextNotFound, ErrorCategory.ObjectNotFound,
                "Pass -Context with one of the contexts named above (kubectl config get-contexts lists them)."),
            ConnectionFailure.NotInCluster => (ErrorIds.NotInCluster, ErrorCategory.InvalidOperation,
                "Use a kubeconfig or -Server and -Token outside a pod."),
            ConnectionFailure.CertificateAuthorityInvalid => (ErrorIds.CertificateAuthorityInvalid, ErrorCategory.InvalidData,
                "Pass the PEM file of the CA that signed the API server's certificate (oc get configmap kube-root-ca.crt)."),
            ConnectionFailure.CredentialPluginFailed => (ErrorIds.CredentialPluginFailed, ErrorCategory.AuthenticationError,
                "Run the plugin by hand to see what it needs (often a fresh login), or raise Connect-KubeVirt -CredentialTimeout."),
            ConnectionFailure.LabStopped => (ErrorIds.LabStopped, ErrorCategory.ResourceUnavailable,
                "Run Connect-KubeVirt to choose a cluster (Disconnect-KubeVirt to use the kubeconfig's current context), or Start-KubeVirtLab -Connect."),
            ConnectionFailure.LastConnectFailed => (ErrorIds.LastConnectFailed, ErrorCategory.ResourceUnavailable,
                "Fix what the failed Connect-KubeVirt reported and run it again (Disconnect-KubeVirt to use the kubeconfig's current context)."),
            ConnectionFailure.InvalidServerUri => (ErrorIds.InvalidServerUri, ErrorCategory.InvalidArgument,
                "Give the API server as https://host:port, e.g. -Server https://api.ocp.example.com:6443."),
            ConnectionFailure.TokenMissing => (ErrorIds.TokenMissing, ErrorCategory.InvalidArgument,
                "Pass the bearer token as a SecureString with -Token, e.g. (Get-Secret -Name k8s-token)."),
            _ => (ErrorIds.KubeconfigInvalid, ErrorCategory.InvalidData,
                "Check the kubeconfig (kubectl config view) or get a fresh one from the cluster's console."),
        };
        return Create(e, id, category, e.Target, action);
    }

    /// <summary>
    /// A health wait that cannot pass, or null: a grace period not shorter than the timeout leaves one look, after the
    /// time is up; more passes in a row than looks fit in the timeout fail for certain, and Invoke-VMChange then rolled a
    /// healthy VM back. Parameter names differ between Test-VMHealth and Invoke-VMChange, so they are given.
    /// </summary>
    public static ErrorRecord? HealthWaitProblem(HealthGatePolicy policy, string timeoutParameter, string intervalParameter,
        bool timeoutGiven)
    {
        string timeout = $"{timeoutParameter} {policy.Timeout}{(timeoutGiven ? string.Empty : " (the default)")}";
        if (policy.GracePeriod >= policy.Timeout)
        {
            return Create(new ArgumentException(
                    $"-GracePeriod {policy.GracePeriod} is not shorter than {timeout}: the first look would come when the " +
                    "time is already up. Nothing was checked or changed."),
                ErrorIds.InvalidGracePeriod, ErrorCategory.InvalidArgument, policy.GracePeriod,
                $"Give a -GracePeriod shorter than {timeoutParameter} (it counts into it), or a longer {timeoutParameter}.");
        }

        if (policy.ConsecutivePasses > policy.MaxLooks)
        {
            return Create(new ArgumentException(
                    $"-ConsecutivePasses {policy.ConsecutivePasses} cannot be reached: {timeout} with a look every " +
                    $"{policy.Interval} after a -GracePeriod of {policy.GracePeriod} leaves room for {policy.MaxLooks} looks, " +
                    "so the wait would fail even for a healthy VM. Nothing was checked or changed."),
                ErrorIds.HealthWaitCannotPass, ErrorCategory.InvalidArgument, policy.ConsecutivePasses,
                $"Give a longer {timeoutParameter}, a shorter {intervalParameter}, or fewer -ConsecutivePasses.");
        }

        return null;
    }

    public static ErrorRecord Create(Exception e, string id, ErrorCategory category, object? target,
        string? recommendedAction)
    {
        ErrorRecord record = new(e, id, category, target);
        if (recommendedAction is not null)
        {
            record.ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = recommendedAction };
        }

        return record;
    }
}
