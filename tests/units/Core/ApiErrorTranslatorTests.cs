using System.Net.Http;
using System.Security.Authentication;
using VmSnapshot.Core.Api;
using Xunit;

namespace VmSnapshot.Tests.Core;

/// <summary>Failures a script must be able to tell apart: throttling, TLS, an unreachable server, the server's own errors.</summary>
public class ApiErrorTranslatorTests
{
    private static readonly ApiRequest s_list = new("list", ResourceType.VirtualMachineSnapshot, "vms");

    [Fact]
    public void A_429_is_throttling_not_a_server_error()
    {
        KubeApiException e = ApiErrorTranslator.FromResponse(429,
            """{"kind":"Status","status":"Failure","message":"Too many requests, please try again later.","reason":"TooManyRequests","code":429}""", s_list);
        Assert.Equal(ApiErrorKind.Throttled, e.Kind);
        Assert.Contains("429 Too Many Requests", e.Message);
        Assert.Contains("Too many requests, please try again later.", e.Message);
    }

    [Fact]
    public void A_503_is_a_server_error()
    {
        Assert.Equal(ApiErrorKind.ServerError, ApiErrorTranslator.FromResponse(503, "service unavailable", s_list).Kind);
    }

    [Fact]
    public void A_500_says_which_request_failed_and_keeps_the_servers_words()
    {
        KubeApiException e = ApiErrorTranslator.FromResponse(500,
            """{"kind":"Status","status":"Failure","message":"Internal error occurred: etcdserver: request timed out","reason":"InternalError","code":500}""", s_list);
        Assert.Equal(ApiErrorKind.ServerError, e.Kind);
        Assert.Equal("The API server failed (500) while trying to list virtualmachinesnapshots.snapshot.kubevirt.io in " +
            "namespace 'vms': Internal error occurred: etcdserver: request timed out", e.Message);
    }

    [Fact]
    public void A_refused_certificate_is_a_tls_failure_and_a_refused_connection_is_unreachable()
    {
        KubeApiException tls = ApiErrorTranslator.Translate(
            new HttpRequestException("The SSL connection could not be established", new AuthenticationException("The remote certificate is invalid")),
            s_list, CancellationToken.None);
        Assert.Equal(ApiErrorKind.TlsFailure, tls.Kind);
        Assert.True(tls.IsConnectionFailure);

        KubeApiException refused = ApiErrorTranslator.Translate(
            new HttpRequestException("Connection refused (127.0.0.1:6443)"), s_list, CancellationToken.None);
        Assert.Equal(ApiErrorKind.Unreachable, refused.Kind);
        Assert.True(refused.IsConnectionFailure);
    }
}
