using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using k8s.Autorest;

namespace VmSnapshot.Core.Api;

/// <summary>
/// Turns what KubernetesClient throws into a <see cref="KubeApiException"/>. The client does not parse the Status
/// body of a failed call (HttpOperationException carries it raw), so this is the one place that does.
/// </summary>
internal static class ApiErrorTranslator
{
    public static KubeApiException Translate(Exception exception, ApiRequest request, CancellationToken cancelToken)
    {
        switch (exception)
        {
            case KubeApiException already:
                return already;

            case HttpOperationException http:
                return FromStatus(http, request);

            case OperationCanceledException when !cancelToken.IsCancellationRequested:
                // HttpClient reports its own timeout as a cancellation the caller did not ask for.
                return new KubeApiException(ApiErrorKind.Timeout,
                    $"The API server did not answer in time while trying to {request.Describe()}.", request,
                    innerException: exception);

            case HttpRequestException transport:
                return new KubeApiException(Innermost(transport) is AuthenticationException ? ApiErrorKind.TlsFailure : ApiErrorKind.Unreachable,
                    DescribeTransport(transport), request, innerException: exception,
                    connectionRefused: Innermost(transport) is SocketException { SocketErrorCode: SocketError.ConnectionRefused });

            case IOException cut:
                // The connection dropped while the answer was being read (a load balancer, a restarting server): the
                // request may or may not have been acted on.
                return new KubeApiException(ApiErrorKind.Unreachable,
                    $"The connection to the API server was lost before its answer was complete while trying to " +
                    $"{request.Describe()}: {Innermost(cut).Message}", request, innerException: exception);

            case AuthenticationException tls:
                return new KubeApiException(ApiErrorKind.TlsFailure,
                    $"TLS handshake with the API server failed: {tls.Message} Check the cluster's certificate authority.",
                    request, innerException: exception);

            default:
                return new KubeApiException(ApiErrorKind.ServerError, exception.Message, request,
                    innerException: exception);
        }
    }

    /// <remarks>
    /// The HttpOperationException is deliberately not kept as the inner exception: its Request still carries the
    /// Authorization header, and $Error, Export-Clixml or a log of the ErrorRecord would show the bearer token.
    /// </remarks>
    private static KubeApiException FromStatus(HttpOperationException http, ApiRequest request) =>
        FromResponse((int)http.Response.StatusCode, http.Response.Content, request,
            retryAfterHeader: http.Response.Headers is { } headers && headers.TryGetValue("Retry-After", out IEnumerable<string>? values)
                ? values.FirstOrDefault()
                : null);

    /// <summary>Classifies a non-2xx answer from its code and body (a Status object, or plain text from virt-api).</summary>
    public static KubeApiException FromResponse(int code, string? content, ApiRequest request, Exception? inner = null,
        string? retryAfterHeader = null)
    {
        string? reason = null;
        string? message = null;
        TimeSpan? retryAfter = RetryAfterOf(retryAfterHeader);
        try
        {
            using JsonDocument status = JsonDocument.Parse(content ?? string.Empty);
            if (status.RootElement.ValueKind == JsonValueKind.Object)
            {
                reason = GetString(status.RootElement, "reason");
                message = GetString(status.RootElement, "message");
                // The apiserver puts the same wait into the Status (StatusDetails.RetryAfterSeconds) as into the header.
                if (retryAfter is null && status.RootElement.TryGetProperty("details", out JsonElement details) &&
                    details.ValueKind == JsonValueKind.Object &&
                    details.TryGetProperty("retryAfterSeconds", out JsonElement seconds) &&
                    seconds.ValueKind == JsonValueKind.Number && seconds.TryGetInt32(out int wait) && wait > 0)
                {
                    retryAfter = TimeSpan.FromSeconds(wait);
                }
            }
        }
        catch (JsonException)
        {
            // Not a Status body: virt-api answers some subresource errors in plain text; a proxy may send HTML.
            message = string.IsNullOrWhiteSpace(content) || content.Length > 500 ? null : content.Trim();
        }

        ApiErrorKind kind = code switch
        {
            401 => ApiErrorKind.Unauthorized,
            403 => ApiErrorKind.Forbidden,
            404 => ApiErrorKind.NotFound,
            409 when reason == "AlreadyExists" => ApiErrorKind.AlreadyExists,
            409 => ApiErrorKind.Conflict,
            400 or 415 or 422 => ApiErrorKind.Invalid,
            408 or 504 => ApiErrorKind.Timeout,
            429 => ApiErrorKind.Throttled,
            _ => ApiErrorKind.ServerError,
        };

        message ??= $"The API server answered {code}.";
        if (code is 503 or 502 && reason is null)
        {
            // The aggregator (virt-api down) and proxies answer in plain text ("service unavailable"): say where.
            message = $"The API server is unavailable ({code}) while trying to {request.Describe()}: {message.TrimEnd('.')}.";
        }
        else if (code >= 500)
        {
            // A Status from the server itself ("Internal error occurred: ...") names no request: say which one failed.
            message = $"The API server failed ({code}) while trying to {request.Describe()}: {message}";
        }

        if (kind == ApiErrorKind.Throttled)
        {
            message = $"The API server is throttling requests (429 Too Many Requests) while trying to {request.Describe()}: {message}";
        }

        if (kind == ApiErrorKind.Unauthorized)
        {
            message = $"The API server refused the credentials (401 Unauthorized) while trying to {request.Describe()}. " +
                "The token may have expired: get a new one and run Connect-KubeVirt again.";
        }

        return new KubeApiException(kind, message, request, code, reason, inner, retryAfter);
    }

    /// <summary>Retry-After in seconds (what the apiserver sends); an HTTP date is read too, as RFC 9110 allows.</summary>
    private static TimeSpan? RetryAfterOf(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        if (int.TryParse(header.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return DateTimeOffset.TryParse(header, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out DateTimeOffset when) && when > DateTimeOffset.UtcNow
            ? when - DateTimeOffset.UtcNow
            : null;
    }

    private static string DescribeTransport(HttpRequestException transport)
    {
        // The innermost cause: "Connection refused (127.0.0.1:6443)" or a certificate complaint.
        Exception root = Innermost(transport);
        return root is AuthenticationException
            ? $"TLS handshake with the API server failed: {root.Message} Check the cluster's certificate authority " +
              "(-CertificateAuthority, or certificate-authority-data in the kubeconfig)."
            : $"Cannot reach the API server: {root.Message}. Check the server address and that the cluster is running.";
    }

    private static Exception Innermost(Exception exception)
    {
        Exception root = exception;
        while (root.InnerException is not null)
        {
            root = root.InnerException;
        }

        return root;
    }

    private static string? GetString(JsonElement element, string property) =>
        element.TryGetProperty(property, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
