using System.Diagnostics;
using System.Text.Json.Nodes;
using VmSnapshot.Lab;
using Xunit;
using static VmSnapshot.Tests.Controllers.ControllerTestSupport;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Controllers;

/// <summary>The emulated guest agent behind virt-api's freeze/unfreeze/guestosinfo/userlist/filesystemlist (reference §3.2–3.3, user-needs §4).</summary>
public sealed class GuestAgentTests : IDisposable
{
    private const string Sub = "/apis/subresources.kubevirt.io/v1/namespaces/vms/virtualmachineinstances/";
    private readonly LabServer _lab = StartControlledLab();
    private readonly HttpClient _http;

    public GuestAgentTests() => _http = Http(_lab);

    public void Dispose()
    {
        _http.Dispose();
        DisposeAndCheck(_lab);
    }

    private Task<(int Code, JsonNode? Body)> Put(string vmi, string sub, string body = "{\"unfreezeTimeout\":\"5m0s\"}") => SendAsync(_http, HttpMethod.Put, Sub + vmi + "/" + sub, body);

    private async Task<(int Code, string ContentType, string Text)> GetRaw(string vmi, string sub)
    {
        using HttpResponseMessage resp = await _http.GetAsync(Sub + vmi + "/" + sub);
        return ((int)resp.StatusCode, resp.Content.Headers.ContentType?.MediaType ?? "", await resp.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task FreezeIsIdempotentAndThawsItselfAfterUnfreezeTimeout()
    {
        Assert.Equal(200, (await Put("rhel8-brainy-bear", "freeze", "{\"unfreezeTimeout\":\"2m\"}")).Code);
        Assert.Equal("frozen", Str(await GetAsync(_http, "virtualmachineinstances", "vms", "rhel8-brainy-bear"), "status", "fsFreezeStatus"));
        Assert.Equal(200, (await Put("rhel8-brainy-bear", "freeze", "{\"unfreezeTimeout\":\"2m\"}")).Code);
        // 2 minutes of lab time is 600 ms at the test speed: then the auto-thaw clears fsFreezeStatus.
        await WaitForAsync(_http, "virtualmachineinstances", "vms", "rhel8-brainy-bear", v => Str(v, "status", "fsFreezeStatus") == null, seconds: 5);
        Assert.Equal(200, (await Put("rhel8-brainy-bear", "unfreeze", "")).Code);

        // Five freezes, five thaws (the functional test "should succeed multiple times"), without auto-thaw.
        for (int i = 0; i < 5; i++) Assert.Equal(200, (await Put("win2k19-profound-gecko", "freeze", "{\"unfreezeTimeout\":\"0s\"}")).Code);
        Assert.Equal("frozen", Str(await GetAsync(_http, "virtualmachineinstances", "vms", "win2k19-profound-gecko"), "status", "fsFreezeStatus"));
        for (int i = 0; i < 5; i++) Assert.Equal(200, (await Put("win2k19-profound-gecko", "unfreeze", "")).Code);
        Assert.Null(Str(await GetAsync(_http, "virtualmachineinstances", "vms", "win2k19-profound-gecko"), "status", "fsFreezeStatus"));
    }

    [Fact]
    public async Task FreezeRefusalsHaveVirtApisCodesAndMessages()
    {
        (int Code, JsonNode? Body) noAgent = await Put("fedora-no-agent", "freeze");
        Assert.Equal(500, noAgent.Code);
        Assert.Matches("^Internal error occurred: unexpected return code 400 \\(400 Bad Request\\), message: .*command Freeze failed:.*QEMU guest agent is not connected", Str(noAgent.Body, "message"));
        AssertStatus(await Put("centos-stopped", "freeze"), 404, "NotFound", "virtualmachineinstance.kubevirt.io \"centos-stopped\" not found");
        AssertStatus(await Put("rhel8-brainy-bear", "freeze", "{}"), 500, "InternalError",
            "Internal error occurred: unexpected return code 400 (400 Bad Request), message: Unfreeze timeout in freeze request is not set");
        Assert.Matches("command Unfreeze failed:.*QEMU guest agent is not connected", Str((await Put("fedora-no-agent", "unfreeze", "")).Body, "message"));

        JsonArray events = (await GetAsync(_http, "/api/v1/namespaces/vms/events?fieldSelector=reason%3DFreezeError")).Body!["items"]!.AsArray();
        JsonNode? e = Assert.Single(events);
        Assert.Equal("Warning", Str(e, "type"));
        Assert.Equal("VirtualMachineInstance", Str(e, "involvedObject", "kind"));
        Assert.StartsWith("Failed to freeze VMI: server error. command Freeze failed:", Str(e, "message"));
    }

    [Fact]
    public async Task GuestInfoEndpointsAnswerFromTheAgentOrWithAPlainText500()
    {
        (int Code, string ContentType, string Text) info = await GetRaw("win2k19-profound-gecko", "guestosinfo");
        Assert.Equal(200, info.Code);
        JsonNode body = JsonNode.Parse(info.Text)!;
        Assert.Equal("mswindows", Str(body, "os", "id"));
        Assert.Contains(body["supportedCommands"]!.AsArray(), c => Str(c, "name") == "guest-fsfreeze-freeze" && c!["enabled"]!.GetValue<bool>());
        Assert.Equal("thawed", Str(body, "fsFreezeStatus"));
        Assert.NotEmpty(JsonNode.Parse((await GetRaw("win2k19-profound-gecko", "userlist")).Text)!["items"]!.AsArray());
        Assert.Equal(2, JsonNode.Parse((await GetRaw("win2k19-profound-gecko", "filesystemlist")).Text)!["items"]!.AsArray().Count);

        (int Code, string ContentType, string Text) none = await GetRaw("fedora-no-agent", "guestosinfo");
        Assert.Equal((500, "text/plain"), (none.Code, none.ContentType));
        Assert.Equal("Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io \"fedora-no-agent\": VMI does not have guest agent connected", none.Text);
        Assert.Equal("virtualmachineinstance.kubevirt.io \"centos-stopped\" not found", (await GetRaw("centos-stopped", "userlist")).Text);
    }

    [Fact]
    public async Task AgentSettingsFromTheVmAnnotationDisableFreezeAndSetTheOs()
    {
        await TestVms.CreateAsync(_http, "locked-down", ["root"], "{\"os\":\"mswindows\",\"version\":\"107.0.1\",\"disabledCommands\":[\"guest-fsfreeze-freeze\"]}");
        await WaitForAsync(_http, "virtualmachineinstances", "vms", "locked-down", v => Condition(v, "AgentConnected") != null);
        JsonNode info = JsonNode.Parse((await GetRaw("locked-down", "guestosinfo")).Text)!;
        Assert.Equal("107.0.1", Str(info, "guestAgentVersion"));
        Assert.Equal("mswindows", Str(info, "os", "id"));
        Assert.Contains(info["supportedCommands"]!.AsArray(), c => Str(c, "name") == "guest-fsfreeze-freeze" && !c!["enabled"]!.GetValue<bool>());
        (int Code, JsonNode? Body) freeze = await Put("locked-down", "freeze");
        Assert.Equal(500, freeze.Code);
        Assert.Contains("The command guest-fsfreeze-freeze has been disabled for this instance", Str(freeze.Body, "message"));
    }

    [Fact]
    public async Task AFreezeTakesTheAgentsFreezeLatency()
    {
        await TestVms.CreateAsync(_http, "slow-hooks", ["root"], "{\"freezeLatency\":\"40s\"}");
        await WaitForAsync(_http, "virtualmachineinstances", "vms", "slow-hooks", v => Condition(v, "AgentConnected") != null);
        Stopwatch sw = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(200, (await Put("slow-hooks", "freeze")).Code);
        // 40 s of lab time is 200 ms at the test speed.
        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(190), $"the freeze returned after {sw.Elapsed.TotalMilliseconds} ms");
        Assert.Equal("frozen", Str(await GetAsync(_http, "virtualmachineinstances", "vms", "slow-hooks"), "status", "fsFreezeStatus"));
    }

    [Fact]
    public async Task AgentConnectsOnlyAfterBootDelayAndThenFlaps()
    {
        await using WatchRecorder vmis = new(_http, "virtualmachineinstances", "vms", "flappy");
        await TestVms.CreateAsync(_http, "flappy", ["root"], "{\"readyAfterBoot\":\"20s\",\"flapInterval\":\"10s\"}");
        JsonObject? running = await WaitForAsync(_http, "virtualmachineinstances", "vms", "flappy", v => Str(v, "status", "phase") == "Running");
        await WaitForAsync(_http, "virtualmachineinstances", "vms", "flappy", v => Condition(v, "AgentConnected") != null);
        await Task.Delay(400); // 80 s of lab time: several flaps
        List<bool> states = vmis.Versions.Where(v => Str(v, "status", "phase") == "Running").Select(v => Condition(v, "AgentConnected") != null).ToList();
        Assert.False(states[0]); // not ready right after boot
        int transitions = states.Zip(states.Skip(1)).Count(p => p.First != p.Second);
        Assert.True(transitions >= 3, $"expected the agent to flap, saw {transitions} transitions");
        Assert.Equal("True", Str(running!["status"]!["conditions"]!.AsArray().First(c => Str(c, "type") == "Ready"), "status"));
    }
}
