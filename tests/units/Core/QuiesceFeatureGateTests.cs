using System.Text.Json.Nodes;
using VmSnapshot.Core.Quiesce;
using Xunit;
using static VmSnapshot.Tests.Core.QuiesceFixtures;

namespace VmSnapshot.Tests.Core;

/// <summary>The Snapshot feature gate from the KubeVirt CR (kubevirt-api.md §0), and the run state rules.</summary>
public class QuiesceFeatureGateTests
{
    private static FeatureGateAnswer Decide(string? version, string[]? enabled = null, string[]? disabled = null)
    {
        JsonObject developer = new();
        if (enabled is not null)
        {
            developer["featureGates"] = new JsonArray(enabled.Select(g => (JsonNode)g).ToArray());
        }

        if (disabled is not null)
        {
            developer["disabledFeatureGates"] = new JsonArray(disabled.Select(g => (JsonNode)g).ToArray());
        }

        JsonObject kubevirt = new()
        {
            ["metadata"] = new JsonObject { ["name"] = "kubevirt", ["namespace"] = "kubevirt" },
            ["spec"] = new JsonObject { ["configuration"] = new JsonObject { ["developerConfiguration"] = developer } },
            ["status"] = version is null ? new JsonObject() : new JsonObject { ["observedKubeVirtVersion"] = version },
        };
        return FeatureGateReader.Decide(Element(kubevirt));
    }

    [Fact]
    public void Listed_is_on_and_disabled_wins_over_listed()
    {
        Assert.Equal(FeatureGateState.Enabled, Decide("v1.6.2", enabled: new[] { "Snapshot", "HotplugVolumes" }).State);
        Assert.Equal(FeatureGateState.Disabled, Decide("v1.9.0", enabled: new[] { "Snapshot" }, disabled: new[] { "Snapshot" }).State);
    }

    [Fact]
    public void From_v1_9_the_beta_gate_is_on_unless_disabled_and_before_it_must_be_listed()
    {
        Assert.Equal(FeatureGateState.Enabled, Decide("v1.9.0").State);
        Assert.Equal(FeatureGateState.Enabled, Decide("v1.10.1").State);
        FeatureGateAnswer old = Decide("v1.8.2");
        Assert.Equal(FeatureGateState.Disabled, old.State);
        Assert.Contains("v1.8.2", old.Detail);
        Assert.Equal(FeatureGateState.Unknown, Decide(null).State);
    }

    [Theory]
    [InlineData("Running", "Running", false, RunState.Running)]
    [InlineData("Paused", "Running", true, RunState.Paused)]
    [InlineData("Migrating", "Running", false, RunState.Running)]
    [InlineData("Starting", "Scheduled", false, RunState.Transitional)]
    [InlineData("Stopped", "Succeeded", false, RunState.Stopped)]
    public void The_run_state_comes_from_the_instance(string printable, string phase, bool paused, RunState expected)
    {
        Assert.Equal(expected, VmRunState.Of(Element(Vm(printable: printable)), Element(Vmi(phase: phase, paused: paused))).State);
    }

    [Fact]
    public void No_instance_is_stopped_unless_the_vm_is_starting()
    {
        Assert.Equal(RunState.Stopped, VmRunState.Of(Element(Vm(printable: "Stopped")), null).State);
        Assert.Equal(RunState.Stopped, VmRunState.Of(Element(Vm(printable: "ErrorUnschedulable")), null).State);
        Assert.Equal(RunState.Transitional, VmRunState.Of(Element(Vm(printable: "Provisioning")), null).State);
    }
}
