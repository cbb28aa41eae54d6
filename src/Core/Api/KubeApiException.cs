namespace VmSnapshot.Core.Api;

/// <summary>
/// A failed API call, classified. The message is the server's own Status message (or a transport description) and
/// never contains request headers, so it cannot carry a bearer token.
/// </summary>
public sealed class KubeApiException : Exception
{
    public KubeApiException(ApiErrorKind kind, string message, ApiRequest request, int? statusCode = null,
        string? reason = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        Request = request;
        StatusCode = statusCode;
        Reason = reason;
    }

    /// <summary>The classification.</summary>
    public ApiErrorKind Kind { get; }

    /// <summary>What was being asked when it failed.</summary>
    public ApiRequest Request { get; }

    /// <summary>The HTTP status code, when the server answered.</summary>
    public int? StatusCode { get; }

    /// <summary>The Status reason (NotFound, Forbidden, ...), when the server sent one.</summary>
    public string? Reason { get; }

    /// <summary>True when the call never reached a server that answered: unreachable, or TLS refused.</summary>
    public bool IsConnectionFailure => Kind is ApiErrorKind.Unreachable or ApiErrorKind.TlsFailure;
}
