using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using VmSnapshot.Lab;
using Xunit;

namespace VmSnapshot.Tests.Lab;

/// <summary>Helpers shared by the lab tests: raw HTTP with the lab token, and a KubernetesClient from the kubeconfig.</summary>
internal static class LabTestSupport
{
    public static LabServer StartLab(string scenario = "default", bool tls = false, TimeSpan? bookmarkInterval = null, int historySize = 1000)
        => LabServer.Start(new LabOptions
        {
            Scenario = scenario,
            UseTls = tls,
            BookmarkInterval = bookmarkInterval ?? TimeSpan.FromSeconds(10),
            WatchHistorySize = historySize,
            RunControllers = false, // the API-server tests count exact watch events; controllers are tested in tests/units/Controllers
        });

    public static HttpClient Http(LabServer lab, string? token = null)
    {
        HttpClientHandler handler = new();
        if (lab.CertificateAuthorityPem != null)
            handler.ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert != null && cert.ExportCertificatePem() == lab.CertificateAuthorityPem;
        HttpClient client = new(handler) { BaseAddress = lab.Server, Timeout = TimeSpan.FromSeconds(30) };
        if (token != "") client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token ?? lab.Token);
        return client;
    }

    public static Kubernetes Client(LabServer lab)
        => new(KubernetesClientConfiguration.BuildConfigFromConfigFile(lab.KubeconfigPath));

    public static async Task<(int Code, JsonNode? Body)> SendAsync(HttpClient http, HttpMethod method, string path, string? body = null, string contentType = "application/json", string? accept = null)
    {
        using HttpRequestMessage req = new(method, path);
        if (body != null) req.Content = new StringContent(body, Encoding.UTF8, contentType);
        if (body != null) req.Content!.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (accept != null) req.Headers.TryAddWithoutValidation("Accept", accept);
        using HttpResponseMessage resp = await http.SendAsync(req);
        string text = await resp.Content.ReadAsStringAsync();
        return ((int)resp.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public static Task<(int Code, JsonNode? Body)> GetAsync(HttpClient http, string path, string? accept = null) => SendAsync(http, HttpMethod.Get, path, accept: accept);

    /// <summary>Asserts a Status error: HTTP code, reason (null: none, as a webhook's plain error has), message, all exactly.</summary>
    public static void AssertStatus((int Code, JsonNode? Body) response, int code, string? reason, string message)
    {
        Assert.Equal(code, response.Code);
        Assert.NotNull(response.Body);
        Assert.Equal("Status", (string?)response.Body!["kind"]);
        Assert.Equal("Failure", (string?)response.Body["status"]);
        Assert.Equal(reason, (string?)response.Body["reason"]);
        Assert.Equal(message, (string?)response.Body["message"]);
        Assert.Equal(code, (int?)response.Body["code"]);
    }

    public static string VmJson(string name, string ns = "vms", string runStrategy = "Halted", string? extraLabels = null)
        => "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + ns
           + "\",\"labels\":{\"app\":\"demo\"" + extraLabels + "}},\"spec\":{\"runStrategy\":\"" + runStrategy
           + "\",\"template\":{\"spec\":{\"domain\":{\"devices\":{}}}}}}";
}
