using System.Management.Automation;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>The -HttpUri of the health checks (Test-VMHealth, Invoke-VMChange): an absolute http or https URI.</summary>
internal static class HttpUriParameter
{
    /// <summary>The InvalidHttpUri error for a URI the probe cannot GET, or null.</summary>
    public static ErrorRecord? Problem(Uri? uri) =>
        uri is null || (uri.IsAbsoluteUri && uri.Scheme is "http" or "https")
            ? null
            : ErrorRecords.Create(new ArgumentException($"-HttpUri '{uri}' is not an absolute http or https URI."),
                ErrorIds.InvalidHttpUri, ErrorCategory.InvalidArgument, uri, "For example -HttpUri https://web.example.com/healthz.");
}
