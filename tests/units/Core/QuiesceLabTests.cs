using System.Text.Json;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;
using VmSnapshot.Core.Json;
using VmSnapshot.Core.Quiesce;
using VmSnapshot.Lab;
using Xunit;

namespace VmSnapshot.Tests.Core;

/// <summary>The quiesce readers and the trial against the lab's KubeVirt emulation, over real HTTP.</summary>
public sealed class QuiesceLabTests : IDisposable
{
    private LabServer? _lab;

    public void Dispose() => _lab?.Dispose();

    private KubeVirtConnection Start(double clockSpeed = 1)
    {
        _lab = LabServer.Start(new LabOptions
        {
            Scenario = "default",
            ClockSpeed = clockSpeed,
        });
        return ConnectionFactory.FromKubeconfig(new[] { _lab.KubeconfigPath }, null, null);
    }

    private static async Task<string?> FreezeStatusAsync(KubeVirtConnection connection, string name)
    {
        JsonElement? vmi = await CustomResources.GetAsync(ConnectionFactory.ClientFor(connection).Client,
            ResourceType.VirtualMachineInstance, "vms", name, CancellationToken.None);
        return vmi?.Child("status").String("fsFreezeStatus");
    }

    [Fact]
    public async Task The_survey_reads_every_fact_of_the_default_scenario()
    {
        KubeVirtConnection connection = Start();
        QuiesceSurvey survey = new(connection, samples: 2, sampleInterval: TimeSpan.FromMilliseconds(200));

        IReadOnlyList<QuiesceInputs> all = await survey.ReadAsync("vms", _ => true, CancellationToken.None);

        Assert.Equal(8, all.Count); // the default scenario's VMs (src/Lab/Scenarios/default.yaml, two of them with hot-plugged volumes)
        QuiesceInputs rhel = Assert.Single(all, i => i.Name == "rhel8-brainy-bear");
        Assert.Equal(new[] { true, true }, rhel.AgentSamples);
        Assert.NotNull(rhel.GuestInfo?.Info);
        Assert.Equal(FeatureGateState.Enabled, rhel.FeatureGate.State);
        Assert.True(rhel.CanCreateSnapshot.Allowed);
        Assert.True(rhel.CanFreeze.Allowed);
        QuiesceInputs noAgent = Assert.Single(all, i => i.Name == "fedora-no-agent");
        Assert.All(noAgent.AgentSamples, Assert.False);
        Assert.Null(noAgent.GuestInfo);
        QuiesceInputs stopped = Assert.Single(all, i => i.Name == "centos-stopped");
        Assert.Null(stopped.Vmi);
        Assert.Equal(QuiesceVerdict.ApplicationConsistent, QuiesceEvaluator.Evaluate(rhel).Verdict);
        Assert.Equal(QuiesceVerdict.CrashConsistentOnly, QuiesceEvaluator.Evaluate(noAgent).Verdict);
    }

    [Fact]
    public async Task Guestosinfo_without_an_agent_keeps_virt_apis_plain_text_answer()
    {
        KubeVirtConnection connection = Start();

        GuestInfoAnswer answer = await GuestInfoReader.ReadAsync(connection, "vms", "fedora-no-agent", CancellationToken.None);

        Assert.Null(answer.Info);
        Assert.False(answer.Forbidden);
        Assert.Contains("VMI does not have guest agent connected", answer.Error);
    }

    [Fact]
    public async Task A_trial_freezes_measures_and_thaws()
    {
        KubeVirtConnection connection = Start();

        TrialOutcome outcome = await QuiesceTrial.RunAsync(connection, "vms", "rhel8-brainy-bear", TimeSpan.Zero, CancellationToken.None);

        Assert.True(outcome.Succeeded, outcome.FreezeError ?? outcome.ThawError);
        Assert.NotNull(outcome.FreezeDuration);
        Assert.False(outcome.StillFrozen);
        Assert.Equal(QuiesceTrial.UnfreezeMargin, outcome.UnfreezeTimeout);
        Assert.Null(await FreezeStatusAsync(connection, "rhel8-brainy-bear"));
    }

    [Fact]
    public async Task A_trial_cancelled_while_frozen_thaws_before_it_returns()
    {
        KubeVirtConnection connection = Start(clockSpeed: 1);
        using CancellationTokenSource cancel = new();
        Task<TrialOutcome> trial = QuiesceTrial.RunAsync(connection, "vms", "rhel8-brainy-bear", TimeSpan.FromSeconds(30), cancel.Token);
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (await FreezeStatusAsync(connection, "rhel8-brainy-bear") != "frozen")
        {
            Assert.True(DateTime.UtcNow < deadline, "the trial never froze the guest");
            await Task.Delay(50);
        }

        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => trial);
        // The lab would only thaw on its own after 60 s (hold + margin): this is the trial's own thaw.
        Assert.Null(await FreezeStatusAsync(connection, "rhel8-brainy-bear"));
    }

    [Fact]
    public async Task A_freeze_nobody_thaws_is_thawed_by_the_cluster_after_its_unfreeze_timeout()
    {
        KubeVirtConnection connection = Start(clockSpeed: 20);

        await GuestFreezer.FreezeAsync(connection, "vms", "rhel8-brainy-bear", TimeSpan.FromSeconds(20), CancellationToken.None);
        Assert.Equal("frozen", await FreezeStatusAsync(connection, "rhel8-brainy-bear"));

        // 20 lab seconds are 1 wall second at clock speed 20.
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (await FreezeStatusAsync(connection, "rhel8-brainy-bear") == "frozen")
        {
            Assert.True(DateTime.UtcNow < deadline, "the lab did not thaw the guest after unfreezeTimeout");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_freeze_of_a_vm_without_agent_fails_with_the_agents_error_and_leaves_nothing_frozen()
    {
        KubeVirtConnection connection = Start();

        TrialOutcome outcome = await QuiesceTrial.RunAsync(connection, "vms", "fedora-no-agent", TimeSpan.Zero, CancellationToken.None);

        Assert.Contains("QEMU guest agent is not connected", outcome.FreezeError);
        Assert.Null(outcome.ThawError);
        Assert.NotEqual(true, outcome.StillFrozen);
    }
}
