namespace VmSnapshot.Core.Api;

/// <summary>What went wrong with a call to the API server, in the terms the PowerShell face maps to error categories.</summary>
public enum ApiErrorKind
{
    /// <summary>404: the object or the API does not exist.</summary>
    NotFound,

    /// <summary>409 AlreadyExists.</summary>
    AlreadyExists,

    /// <summary>409 Conflict: someone else changed the object.</summary>
    Conflict,

    /// <summary>401: no or wrong credentials.</summary>
    Unauthorized,

    /// <summary>403: the credentials may not do this.</summary>
    Forbidden,

    /// <summary>422 or 400: the server refused the request's content.</summary>
    Invalid,

    /// <summary>The request or the wait took too long.</summary>
    Timeout,

    /// <summary>The server could not be reached (DNS, refused or reset connection): nothing answered.</summary>
    Unreachable,

    /// <summary>The TLS handshake failed (certificate not trusted, wrong host name): the client refused the server.</summary>
    TlsFailure,

    /// <summary>429: API Priority and Fairness throttled the request (Retry-After says when to try again).</summary>
    Throttled,

    /// <summary>Anything else the server answered with.</summary>
    ServerError,
}
