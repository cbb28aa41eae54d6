using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using VmSnapshot.Lab;
using VmSnapshot.Lab.Faults;
using Xunit;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Lab;

/// <summary>
/// The lab's fault rules as any client sees them on the wire: what a throttled, restarted, cut or expired answer looks
/// like, which requests a rule picks, and that a rule that is wrong is refused with what to fix.
/// </summary>
public sealed class FaultInjectionTests : IDisposable
{
    private readonly LabServer _lab = StartLab();

    public void Dispose() => _lab.Dispose();

    private void Faults(params string[] rulesJson) =>
        _lab.Faults.Set(rulesJson.Select((r, i) => FaultRule.Parse(JsonNode.Parse(r), $"rule {i}")), seed: 1);

    [Fact]
    public async Task Throttling_answers_429_with_Retry_After_in_plain_text_as_the_apiserver_does()
    {
        Faults("""{"fault":"throttle","verbs":["list"],"retryAfter":3}""");
        using HttpClient http = Http(_lab);

        using HttpResponseMessage answer = await http.GetAsync("/apis/kubevirt.io/v1/namespaces/vms/virtualmachines");

        Assert.Equal((HttpStatusCode)429, answer.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3), answer.Headers.RetryAfter?.Delta);
        Assert.Equal("text/plain", answer.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Too many requests, please try again later.\n", await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_sequence_picks_exactly_the_matching_requests_it_names_and_the_counts_say_so()
    {
        Faults("""{"fault":"error","verbs":["get"],"resources":["virtualmachines"],"sequence":[2,3]}""");
        using HttpClient http = Http(_lab);

        List<int> codes = new();
        for (int i = 0; i < 4; i++)
        {
            codes.Add((await GetAsync(http, "/apis/kubevirt.io/v1/namespaces/vms/virtualmachines/rhel8-brainy-bear")).Code);
            codes.Add((await GetAsync(http, "/apis/kubevirt.io/v1/namespaces/vms/virtualmachines")).Code); // a list: not matched
        }

        Assert.Equal(new[] { 200, 200, 500, 200, 500, 200, 200, 200 }, codes);
        FaultRuleStatus status = Assert.Single(_lab.Faults.Status);
        Assert.Equal(4, status.Matched);
        Assert.Equal(2, status.Injected);
    }

    [Fact]
    public async Task A_lost_response_carries_out_the_request_but_answers_nothing()
    {
        Faults("""{"fault":"lostResponse","verbs":["create"],"sequence":[1]}""");
        using HttpClient http = Http(_lab);

        await Assert.ThrowsAsync<HttpRequestException>(() =>
            SendAsync(http, HttpMethod.Post, "/apis/kubevirt.io/v1/namespaces/vms/virtualmachines", VmJson("made-unseen")));

        Assert.NotNull(_lab.Store.Get("virtualmachines", "vms", "made-unseen"));
    }

    [Fact]
    public async Task A_reset_closes_the_connection_before_the_request_is_carried_out()
    {
        Faults("""{"fault":"reset","verbs":["create"],"sequence":[1]}""");
        using HttpClient http = Http(_lab);

        await Assert.ThrowsAsync<HttpRequestException>(() =>
            SendAsync(http, HttpMethod.Post, "/apis/kubevirt.io/v1/namespaces/vms/virtualmachines", VmJson("never-made")));

        Assert.Null(_lab.Store.Get("virtualmachines", "vms", "never-made"));
    }

    [Fact]
    public async Task A_restart_refuses_connections_for_its_duration_then_serves_again_on_the_same_port()
    {
        Faults("""{"fault":"restart","path":"/version","sequence":[1],"duration":"2s"}""");
        using HttpClient http = Http(_lab);
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync("/version"));

        using TcpClient probe = new();
        SocketException refused = await Assert.ThrowsAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, _lab.Server.Port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);

        await Task.Delay(TimeSpan.FromSeconds(3));
        using HttpClient again = Http(_lab);
        Assert.Equal(200, (await GetAsync(again, "/apis/kubevirt.io/v1/namespaces/vms/virtualmachines")).Code);
    }

    [Fact]
    public async Task An_expired_watch_resume_gets_the_watch_caches_410_error_event()
    {
        Faults("""{"fault":"expireWatch"}""");
        using HttpClient http = Http(_lab);

        // From the start (no resourceVersion) nothing can be expired: the rule does not apply.
        using HttpResponseMessage fresh = await http.GetAsync("/apis/kubevirt.io/v1/namespaces/vms/virtualmachines?watch=true&timeoutSeconds=1");
        Assert.Contains("\"type\":\"ADDED\"", await fresh.Content.ReadAsStringAsync());

        using HttpResponseMessage resumed = await http.GetAsync("/apis/kubevirt.io/v1/namespaces/vms/virtualmachines?watch=true&resourceVersion=5&timeoutSeconds=1");
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        JsonNode line = JsonNode.Parse((await resumed.Content.ReadAsStringAsync()).Trim())!;
        Assert.Equal("ERROR", (string?)line["type"]);
        Assert.Equal(410, (int?)line["object"]?["code"]);
        Assert.Equal("Expired", (string?)line["object"]?["reason"]);
        Assert.Equal("too old resource version: 5 (6)", (string?)line["object"]?["message"]);
        Assert.Equal(1, _lab.Faults.Status[0].Injected);
    }

    [Fact]
    public async Task A_truncated_answer_breaks_off_mid_body()
    {
        Faults("""{"fault":"truncate","verbs":["list"],"keepBytes":30}""");
        using HttpClient http = Http(_lab);

        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using HttpResponseMessage answer = await http.GetAsync("/apis/kubevirt.io/v1/namespaces/vms/virtualmachines");
            await answer.Content.ReadAsStringAsync();
        });
        Assert.Equal(1, _lab.Faults.Status[0].Injected);
    }

    [Theory]
    [InlineData("""{"verbs":["get"]}""", "rule 0: 'fault' is required (throttle, error, unavailable, reset, lostResponse, truncate, closeWatch, expireWatch, slow, restart).")]
    [InlineData("""{"fault":"explode"}""", "rule 0: fault 'explode' is not one of throttle, error, unavailable, reset, lostResponse, truncate, closeWatch, expireWatch, slow, restart.")]
    [InlineData("""{"fault":"error","rate":0.5,"sequence":[1]}""", "rule 0: give either rate or sequence, not both.")]
    [InlineData("""{"fault":"error","rate":2}""", "rule 0: rate must be between 0 and 1, not 2.")]
    [InlineData("""{"fault":"error","verbs":["fetch"]}""", "rule 0: verb 'fetch' is not one of get, list, watch, create, update, patch, delete, deletecollection.")]
    [InlineData("""{"fault":"slow","delay":"soon"}""", "rule 0: delay must be a Go duration such as 500ms or 2s, not 'soon'.")]
    [InlineData("""{"fault":"slow","delay":"-1s"}""", "rule 0: delay must be a Go duration such as 500ms or 2s, not '-1s'.")]
    [InlineData("""{"fault":"error","count":-1}""", "rule 0: count must be a whole number of at least 1, not -1.")]
    [InlineData("""{"fault":"error","sequence":[1.7]}""", "rule 0: sequence must be a whole number of at least 1, not 1.7.")]
    [InlineData("""{"fault":"throttle","retryAfter":-1}""", "rule 0: retryAfter must be a whole number of at least 0, not -1.")]
    public void A_wrong_rule_is_refused_with_what_to_fix(string rule, string message)
    {
        FormatException e = Assert.Throws<FormatException>(() => FaultRule.Parse(JsonNode.Parse(rule), "rule 0"));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Verbs_and_resources_match_whatever_their_case_and_retryAfter_takes_a_duration()
    {
        FaultRule rule = FaultRule.Parse(JsonNode.Parse("""{"fault":"Throttle","verbs":["GET"],"resources":["VirtualMachines"],"retryAfter":"2000ms"}"""), "rule 0");

        Assert.Equal(["get"], rule.Verbs);
        Assert.Equal(["virtualmachines"], rule.Resources);
        Assert.Equal(TimeSpan.FromSeconds(2), rule.RetryAfter);
    }

    [Fact]
    public void A_scenario_can_set_faults_in_its_LabSettings()
    {
        string file = Path.Combine(Path.GetTempPath(), $"faults-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, """
            apiVersion: lab.vmsnapshot.io/v1
            kind: LabSettings
            namespace: vms
            faults:
              seed: 42
              rules:
              - fault: throttle
                verbs: [list]
                rate: 0.25
            """);
        try
        {
            using LabServer lab = StartLab(file);
            FaultRuleStatus rule = Assert.Single(lab.Faults.Status);
            Assert.Equal(42, lab.Faults.Seed);
            Assert.Equal(FaultKind.Throttle, rule.Rule.Kind);
            Assert.Equal(0.25, rule.Rule.Rate);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [SkippableFact]
    public async Task Kubectl_rides_through_throttling_as_against_a_real_server()
    {
        Skip.IfNot(KubectlRunner.Available, "kubectl is not installed at /usr/bin/kubectl");
        using LabServer lab = StartLab(tls: true); // kubectl sends tokens only over HTTPS
        lab.Faults.Set([FaultRule.Parse(JsonNode.Parse("""{"fault":"throttle","verbs":["list"],"resources":["virtualmachines"],"sequence":[1]}"""), "r")], 1);

        KubectlRunner.Result r = await new KubectlRunner(lab).RunAsync(TimeSpan.FromSeconds(60), null,
            "get", "virtualmachines.kubevirt.io", "-n", "vms", "-o", "name");

        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("virtualmachine.kubevirt.io/rhel8-brainy-bear", r.Out);
        Assert.Equal(1, lab.Faults.Status[0].Injected);
    }
}
