namespace VmSnapshot.Core.Api;

/// <summary>
/// A failed API call, classified. The message is the server's own Status message (or a transport description) and
/// never contains request headers, so it cannot carry a bearer token.
/// </summary>
public sealed class KubeApiException : Exception
{
    public KubeApiException(ApiErrorKind kind, string message, ApiRequest request, int? statusCode = null,
        string? reason = null, Exception? innerException = null, TimeSpan? retryAfter = null,
        bool connectionRefused = false)
        : base(message, innerException)
    {
        Kind = kind;
        Request = request;
        StatusCode = statusCode;
        Reason = reason;
        RetryAfter = retryAfter;
        ConnectionRefused = connectionRefused;
    }

    /// <summary>The classification.</summary>
    public ApiErrorKind Kind { get; }

    /// <summary>What was being asked when it failed.</summary>
    public ApiRequest Request { get; }

    /// <summary>The HTTP status code, when the server answered.</summary>
    public int? StatusCode { get; }

    /// <summary>The Status reason (NotFound, Forbidden, ...), when the server sent one.</summary>
    public string? Reason { get; }

    /// <summary>How long the server asked to wait before trying again (Retry-After, or the Status's retryAfterSeconds).</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>True when no connection was made at all (refused): the server cannot have acted on the request.</summary>
    public bool ConnectionRefused { get; }

    /// <summary>How often the call was sent, when it was sent more than once (see <see cref="ApiRetry"/>).</summary>
    public int Attempts { get; private init; } = 1;

    /// <summary>The same failure, its message extended with what was retried and what state the cluster may be in.</summary>
    internal KubeApiException WithRetryHistory(int attempts, string history) =>
        new(Kind, $"{Message.TrimEnd()}{(Message.TrimEnd().EndsWith('.') ? "" : ".")} {history}", Request, StatusCode, Reason, InnerException, RetryAfter, ConnectionRefused)
        {
            Attempts = attempts,
        };

    /// <summary>True when the call never reached a server that answered: unreachable, or TLS refused.</summary>
    public bool IsConnectionFailure => Kind is ApiErrorKind.Unreachable or ApiErrorKind.TlsFailure;
}
