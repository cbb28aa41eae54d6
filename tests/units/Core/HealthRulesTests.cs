using System.Text.Json;
using VmSnapshot.Core.Health;
using Xunit;

namespace VmSnapshot.Tests.Core;

public class HealthRulesTests
{
    private const string RunningVm = """{"metadata":{"name":"web","namespace":"vms"},"spec":{"template":{"spec":{"volumes":[]}}},"status":{"printableStatus":"Running"}}""";

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private static HealthInputs Inputs(string? vmi, Dictionary<string, JsonElement?>? claims = null, Dictionary<string, JsonElement?>? dataVolumes = null,
        string vm = RunningVm) =>
        new(Json(vm), vmi is null ? null : Json(vmi), claims ?? new(), dataVolumes ?? new());

    private static string Vmi(string conditions, string interfaces = """[{"name":"default","interfaceName":"eth0","ipAddress":"10.0.0.5"}]""",
        string volumes = "[]", string volumeStatus = "[]") =>
        $$$"""{"spec":{"volumes":{{{volumes}}}},"status":{"phase":"Running","conditions":{{{conditions}}},"interfaces":{{{interfaces}}},"volumeStatus":{{{volumeStatus}}}}}""";

    private const string ReadyWithAgent = """[{"type":"Ready","status":"True"},{"type":"AgentConnected","status":"True"}]""";

    private static HealthCheckStatus StatusOf(List<VMHealthCheck> checks, string name, string? target = null) =>
        checks.Single(c => c.Name == name && (target is null || c.Target == target)).Status;

    [Fact]
    public void A_running_ready_VM_with_agent_and_address_passes_every_check()
    {
        List<VMHealthCheck> checks = HealthRules.Evaluate(Inputs(Vmi(ReadyWithAgent)), []);
        Assert.All(checks, c => Assert.Equal(HealthCheckStatus.Pass, c.Status));
        Assert.Equal(["Running", "Ready", "AgentConnected", "GuestAddress"], checks.Select(c => c.Name));
    }

    [Fact]
    public void A_stopped_VM_fails_Running_and_skips_the_guest_checks()
    {
        List<VMHealthCheck> checks = HealthRules.Evaluate(Inputs(null, vm: RunningVm.Replace("Running", "Stopped")), []);
        Assert.Equal(HealthCheckStatus.Fail, StatusOf(checks, "Running"));
        Assert.Contains("it is Stopped", checks[0].Message);
        Assert.Equal(HealthCheckStatus.Skip, StatusOf(checks, "Ready"));
        Assert.Equal(HealthCheckStatus.Skip, StatusOf(checks, "AgentConnected"));
        Assert.Equal(HealthCheckStatus.Skip, StatusOf(checks, "GuestAddress"));
    }

    [Fact]
    public void Ready_false_names_the_reason_and_message_of_the_condition()
    {
        string conditions = """[{"type":"Ready","status":"False","reason":"ContainersNotReady","message":"containers with unready status: [compute]"},{"type":"AgentConnected","status":"True"}]""";
        VMHealthCheck ready = HealthRules.Evaluate(Inputs(Vmi(conditions)), []).Single(c => c.Name == "Ready");
        Assert.Equal(HealthCheckStatus.Fail, ready.Status);
        Assert.Equal("The instance is not Ready (ContainersNotReady: containers with unready status: [compute]).", ready.Message);
    }

    [Fact]
    public void No_agent_condition_and_no_address_fail()
    {
        List<VMHealthCheck> checks = HealthRules.Evaluate(Inputs(Vmi("""[{"type":"Ready","status":"True"}]""", interfaces: """[{"name":"default"}]""")), []);
        Assert.Equal(HealthCheckStatus.Fail, StatusOf(checks, "AgentConnected"));
        Assert.Equal(HealthCheckStatus.Fail, StatusOf(checks, "GuestAddress"));
    }

    [Fact]
    public void Claims_must_exist_and_be_Bound_and_DataVolumes_must_have_Succeeded()
    {
        Dictionary<string, JsonElement?> claims = new()
        {
            ["root"] = Json("""{"status":{"phase":"Bound"}}"""),
            ["data"] = Json("""{"status":{"phase":"Pending"}}"""),
            ["gone"] = null,
        };
        Dictionary<string, JsonElement?> dataVolumes = new() { ["root"] = Json("""{"status":{"phase":"ImportInProgress","progress":"45.00%"}}""") };
        List<VMHealthCheck> checks = HealthRules.Evaluate(Inputs(Vmi(ReadyWithAgent), claims, dataVolumes), []);
        Assert.Equal(HealthCheckStatus.Pass, StatusOf(checks, "ClaimBound", "root"));
        Assert.Equal("Claim 'data' is Pending, not Bound.", checks.Single(c => c.Target == "data").Message);
        Assert.Equal("Claim 'gone' does not exist.", checks.Single(c => c.Target == "gone").Message);
        Assert.Equal("DataVolume 'root' is ImportInProgress (45.00%), not Succeeded.", checks.Single(c => c.Name == "DataVolume").Message);
    }

    [Fact]
    public void Every_volume_of_the_instance_must_be_attached_and_a_hotplugged_one_Ready()
    {
        string vmi = Vmi(ReadyWithAgent,
            volumes: """[{"name":"root"},{"name":"scratch"},{"name":"missing"}]""",
            volumeStatus: """[{"name":"root","target":"vda"},{"name":"scratch","target":"sda","phase":"AttachedToNode","hotplugVolume":{"attachPodName":"hp-1"}}]""");
        List<VMHealthCheck> checks = HealthRules.Evaluate(Inputs(vmi), []);
        Assert.Equal(HealthCheckStatus.Pass, StatusOf(checks, "VolumeAttached", "root"));
        Assert.Equal(HealthCheckStatus.Fail, StatusOf(checks, "VolumeAttached", "scratch"));
        Assert.Equal(HealthCheckStatus.Fail, StatusOf(checks, "VolumeAttached", "missing"));
    }

    [Fact]
    public void A_skipped_check_never_fails_the_VM()
    {
        KubeVirtVMHealth health = new()
        {
            Checks = HealthRules.Evaluate(Inputs(Vmi("""[{"type":"Ready","status":"True"}]""")), ["agentconnected"]).ToArray(),
        };
        Assert.Equal(HealthCheckStatus.Skip, health.Checks.Single(c => c.Name == "AgentConnected").Status);
        Assert.True(health.Healthy);
    }

    private static KubeVirtVMHealth Look(bool healthy) => new()
    {
        Checks = [new VMHealthCheck { Name = "Ready", Status = healthy ? HealthCheckStatus.Pass : HealthCheckStatus.Fail }],
    };

    [Fact]
    public async Task The_gate_needs_consecutive_passes()
    {
        Queue<bool> answers = new([false, true, false, true, true, true, true]);
        HealthGateResult? result = await HealthGate.WaitAsync(_ => Task.FromResult<KubeVirtVMHealth?>(Look(answers.Dequeue())),
            new HealthGatePolicy(TimeSpan.FromSeconds(30), 3, TimeSpan.Zero, TimeSpan.FromMilliseconds(1)), null, null, CancellationToken.None);
        Assert.NotNull(result);
        Assert.True(result.Passed);
        Assert.Equal(6, result.Samples.Count);
        Assert.Equal(6, result.Last.Samples);
    }

    [Fact]
    public async Task The_gate_gives_up_at_the_timeout_with_the_last_look()
    {
        int looks = 0;
        HealthGateResult? result = await HealthGate.WaitAsync(_ => { looks++; return Task.FromResult<KubeVirtVMHealth?>(Look(false)); },
            new HealthGatePolicy(TimeSpan.FromMilliseconds(100), 1, TimeSpan.Zero, TimeSpan.FromMilliseconds(10)), null, null, CancellationToken.None);
        Assert.NotNull(result);
        Assert.False(result.Passed);
        Assert.Equal(looks, result.Samples.Count);
        Assert.InRange(looks, 2, 11);
        Assert.False(result.Last.Healthy);
    }

    [Fact]
    public async Task The_gate_takes_its_last_look_at_the_timeout_not_an_interval_before()
    {
        // Looks every 300 ms within 500 ms: at 0, 300 and 500 ms. Giving up when the next look would be late stopped at 300.
        System.Diagnostics.Stopwatch took = System.Diagnostics.Stopwatch.StartNew();
        TimeSpan lastLook = TimeSpan.Zero;
        HealthGateResult? result = await HealthGate.WaitAsync(_ => { lastLook = took.Elapsed; return Task.FromResult<KubeVirtVMHealth?>(Look(false)); },
            new HealthGatePolicy(TimeSpan.FromMilliseconds(500), 2, TimeSpan.Zero, TimeSpan.FromMilliseconds(300)), null, null, CancellationToken.None);
        Assert.NotNull(result);
        Assert.False(result.Passed);
        Assert.True(lastLook >= TimeSpan.FromMilliseconds(480), $"the last look came after {lastLook}");
        Assert.True(result.Took >= TimeSpan.FromMilliseconds(480), $"gave up after {result.Took}");
        Assert.InRange(result.Samples.Count, 2, 3); // 2 only when the look at 300 ms came after 500 ms on a busy machine
    }

    [Fact]
    public async Task A_VM_that_is_gone_ends_the_gate_at_once()
    {
        HealthGateResult? result = await HealthGate.WaitAsync(_ => Task.FromResult<KubeVirtVMHealth?>(null),
            HealthGatePolicy.Default, null, null, CancellationToken.None);
        Assert.Null(result);
    }

    [Theory]
    [InlineData(new[] { false, true, true }, "Healthy only 2 looks in a row of the 3 needed within 00:00:06 (3 looks); the last look: 1 check passed")]
    [InlineData(new[] { true, false, true }, "Healthy only 1 look in a row of the 3 needed within 00:00:06 (3 looks); the last look: 1 check passed")]
    [InlineData(new[] { true, true, false }, "Not healthy at the last look (at most 2 looks in a row of the 3 needed) within 00:00:06 (3 looks); the last look: Ready: down")]
    [InlineData(new[] { false, false, false }, "Not healthy at any of 3 looks within 00:00:06; the last look: Ready: down")]
    [InlineData(new[] { false }, "Not healthy at its only look within 00:00:06; the last look: Ready: down")]
    public void A_failed_gate_says_whether_the_VM_was_unhealthy_or_healthy_too_briefly(bool[] looks, string expected)
    {
        // "Not healthy ...: 8 checks passed" read as a contradiction to the trial's user when the VM was healthy at the end.
        List<KubeVirtVMHealth> samples = looks.Select(healthy => new KubeVirtVMHealth
        {
            Checks = [new VMHealthCheck { Name = "Ready", Message = "down.", Status = healthy ? HealthCheckStatus.Pass : HealthCheckStatus.Fail }],
        }).ToList();
        HealthGateResult result = new(false, samples[^1], samples, TimeSpan.FromSeconds(6));
        Assert.Equal(expected, result.DescribeFailure(new HealthGatePolicy(TimeSpan.FromSeconds(6), 3, TimeSpan.Zero, TimeSpan.FromSeconds(2))));
    }

    [Fact]
    public void A_wait_that_ran_out_on_a_healthy_look_answers_unhealthy_with_a_failed_Stable_check()
    {
        HealthGatePolicy policy = new(TimeSpan.FromSeconds(6), 3, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        List<KubeVirtVMHealth> samples = [Look(false), Look(true), Look(true)];
        KubeVirtVMHealth verdict = new HealthGateResult(false, samples[^1], samples, TimeSpan.FromSeconds(6)).Verdict(policy);
        Assert.False(verdict.Healthy);
        VMHealthCheck stable = Assert.Single(verdict.Checks, c => c.Name == HealthCheckNames.Stable);
        Assert.Equal("Healthy only 2 looks in a row of the 3 needed (-ConsecutivePasses) when -Timeout 00:00:06 ran out.", stable.Message);
        Assert.True(samples[^1].Healthy); // the look itself, kept in Samples, is not changed

        Assert.Same(samples[^1], new HealthGateResult(true, samples[^1], samples, TimeSpan.FromSeconds(6)).Verdict(policy));
        List<KubeVirtVMHealth> failing = [Look(true), Look(false)];
        Assert.Same(failing[^1], new HealthGateResult(false, failing[^1], failing, TimeSpan.FromSeconds(6)).Verdict(policy));
    }

    [Theory]
    [InlineData(6, 2, 0, 4)]    // looks at 0, 2, 4 and 6 s
    [InlineData(5, 2, 0, 4)]    // 0, 2, 4 and the last at 5 s
    [InlineData(10, 5, 0, 3)]   // 0, 5, 10
    [InlineData(10, 5, 4, 3)]   // 4, 9, 10
    [InlineData(5, 5, 5, 0)]    // the grace period uses up the time
    public void MaxLooks_counts_the_looks_the_gate_takes_at_most(int timeout, int interval, int grace, int expected)
        => Assert.Equal(expected, new HealthGatePolicy(TimeSpan.FromSeconds(timeout), 3, TimeSpan.FromSeconds(grace), TimeSpan.FromSeconds(interval)).MaxLooks);

    [Fact]
    public async Task The_gate_takes_no_more_looks_than_MaxLooks_says()
    {
        HealthGatePolicy policy = new(TimeSpan.FromMilliseconds(500), 99, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(150));
        HealthGateResult? result = await HealthGate.WaitAsync(_ => Task.FromResult<KubeVirtVMHealth?>(Look(true)), policy, null, null, CancellationToken.None);
        Assert.NotNull(result);
        Assert.InRange(result.Samples.Count, 2, policy.MaxLooks);
    }

    [Fact]
    public async Task The_first_look_comes_after_the_grace_period()
    {
        System.Diagnostics.Stopwatch took = System.Diagnostics.Stopwatch.StartNew();
        TimeSpan? firstLook = null;
        await HealthGate.WaitAsync(_ => { firstLook ??= took.Elapsed; return Task.FromResult<KubeVirtVMHealth?>(Look(true)); },
            new HealthGatePolicy(TimeSpan.FromSeconds(5), 1, TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(1)), null, null, CancellationToken.None);
        Assert.True(firstLook >= TimeSpan.FromMilliseconds(190), $"first look after {firstLook}");
    }
}
