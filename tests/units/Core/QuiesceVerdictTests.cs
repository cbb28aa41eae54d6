using System.Text.Json.Nodes;
using VmSnapshot.Core.Quiesce;
using Xunit;
using static VmSnapshot.Tests.Core.QuiesceFixtures;

namespace VmSnapshot.Tests.Core;

/// <summary>The verdict rules of Test-GuestQuiesce, from plain JSON facts.</summary>
public class QuiesceVerdictTests
{
    private static QuiesceCheck Single(QuiesceReadiness r, string name) => Assert.Single(r.Checks, c => c.Name == name);

    [Fact]
    public void A_running_vm_with_a_connected_agent_and_freeze_commands_is_application_consistent()
    {
        QuiesceReadiness r = QuiesceEvaluator.Evaluate(Healthy());

        Assert.Equal(QuiesceVerdict.ApplicationConsistent, r.Verdict);
        Assert.True(r.IsApplicationConsistent);
        Assert.Equal(SnapshotCoverage.AllDisks, r.Coverage);
        Assert.True(r.AgentConnected);
        Assert.True(r.FreezeCommandsEnabled);
        Assert.Equal("8.2.0", r.AgentVersion);
        Assert.Equal("rhel", r.GuestOS);
        Assert.Equal(0, r.FailCount);
        Assert.Equal(CheckStatus.Pass, Single(r, CheckNames.FreezeCommands).Status);
        Assert.Equal(CheckStatus.Pass, Single(r, CheckNames.AgentConnected).Status);
        Assert.All(r.Checks, c => Assert.Equal("web01", c.VMName));
    }

    [Fact]
    public void No_agent_in_any_sample_is_crash_consistent_and_says_to_install_one()
    {
        QuiesceInputs inputs = Healthy(vmi: Vmi(agent: false)) with
        {
            AgentSamples = new[] { false, false, false },
            GuestInfo = null,
        };

        QuiesceReadiness r = QuiesceEvaluator.Evaluate(inputs);

        Assert.Equal(QuiesceVerdict.CrashConsistentOnly, r.Verdict);
        QuiesceCheck agent = Single(r, CheckNames.AgentConnected);
        Assert.Equal(CheckStatus.Fail, agent.Status);
        Assert.Contains("qemu-guest-agent", agent.Message);
        Assert.Equal(agent.Message, r.Summary);
        Assert.DoesNotContain(r.Checks, c => c.Name == CheckNames.FreezeCommands);
        Assert.Null(r.FreezeCommandsEnabled);
    }

    [Fact]
    public void A_flapping_agent_warns_with_the_sample_count_and_is_not_trusted()
    {
        QuiesceReadiness r = QuiesceEvaluator.Evaluate(Healthy() with { AgentSamples = new[] { true, false, true } });

        Assert.Equal(QuiesceVerdict.CrashConsistentOnly, r.Verdict);
        QuiesceCheck agent = Single(r, CheckNames.AgentConnected);
        Assert.Equal(CheckStatus.Warn, agent.Status);
        Assert.Contains("2 of 3 samples", agent.Message);
        Assert.False(r.AgentConnected);
    }

    [Theory]
    [InlineData("guest-fsfreeze-freeze")]
    [InlineData("guest-fsfreeze-thaw")]
    [InlineData("guest-fsfreeze-status")]
    public void A_disabled_freeze_command_fails_and_makes_it_crash_consistent(string disabled)
    {
        QuiesceReadiness r = QuiesceEvaluator.Evaluate(Healthy() with
        {
            GuestInfo = GuestInfoAnswer.Of(GuestInfo(disabled: disabled)),
        });

        Assert.Equal(QuiesceVerdict.CrashConsistentOnly, r.Verdict);
        QuiesceCheck freeze = Single(r, CheckNames.FreezeCommands);
        Assert.Equal(CheckStatus.Fail, freeze.Status);
        Assert.Contains(disabled, freeze.Message);
        Assert.False(r.FreezeCommandsEnabled);
        Assert.Equal(freeze.Message, r.Summary);
    }

    [Fact]
    public void A_freeze_command_missing_from_the_list_counts_as_disabled()
    {
        JsonObject info = new()
        {
            ["guestAgentVersion"] = "5.1",
            ["supportedCommands"] = new JsonArray(new JsonObject { ["name"] = "guest-fsfreeze-freeze", ["enabled"] = true },
                new JsonObject { ["name"] = "guest-fsfreeze-thaw" }),
            ["os"] = new JsonObject { ["id"] = "centos" },
        };

        QuiesceReadiness r = QuiesceEvaluator.Evaluate(Healthy() with { GuestInfo = GuestInfoAnswer.Of(Element(info)) });

        QuiesceCheck freeze = Single(r, CheckNames.FreezeCommands);
        Assert.Equal(CheckStatus.Fail, freeze.Status);
        Assert.Contains("guest-fsfreeze-thaw, guest-fsfreeze-status", freeze.Message);
    }

    [Fact]
    public void Unknown_freeze_commands_are_not_promised_application_consistency()
    {
        QuiesceReadiness failed = QuiesceEvaluator.Evaluate(Healthy() with
        {
            GuestInfo = GuestInfoAnswer.Failed("Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io \"web01\": VMI does not have guest agent connected"),
        });
        QuiesceReadiness forbidden = QuiesceEvaluator.Evaluate(Healthy() with
        {
            GuestInfo = GuestInfoAnswer.Failed("forbidden", forbidden: true),
        });

        Assert.Equal(QuiesceVerdict.CrashConsistentOnly, failed.Verdict);
        Assert.Equal(CheckStatus.Warn, Single(failed, CheckNames.GuestAgentInfo).Status);
        Assert.Contains("VMI does not have guest agent connected", Single(failed, CheckNames.GuestAgentInfo).Message);
        Assert.Equal(CheckStatus.Warn, Single(failed, CheckNames.FreezeCommands).Status);
        Assert.Equal(CheckStatus.Manual, Single(forbidden, CheckNames.GuestAgentInfo).Status);
        Assert.Equal(QuiesceVerdict.CrashConsistentOnly, forbidden.Verdict);
    }

    [Fact]
    public void A_paused_vm_is_crash_consistent_and_not_asked_for_guest_info()
    {
        QuiesceInputs inputs = Healthy(vm: Vm(printable: "Paused"), vmi: Vmi(paused: true)) with { GuestInfo = null };

        QuiesceReadiness r = QuiesceEvaluator.Evaluate(inputs);

        Assert.Equal(QuiesceVerdict.CrashConsistentOnly, r.Verdict);
        Assert.Equal("Paused", r.State);
        Assert.Equal(CheckStatus.Warn, r.Checks[0].Status);
        Assert.Contains("paused", r.Summary);
        Assert.DoesNotContain(r.Checks, c => c.Name == CheckNames.GuestAgentInfo);
        Assert.NotNull(QuiesceEvaluator.TrialSkipReason(inputs));
    }

    [Fact]
    public void A_stopped_vm_is_application_consistent_because_its_snapshot_is_offline()
    {
        QuiesceInputs inputs = Healthy(vm: Vm(printable: "Stopped")) with
        {
            Vmi = null,
            AgentSamples = Array.Empty<bool>(),
            GuestInfo = null,
        };

        QuiesceReadiness r = QuiesceEvaluator.Evaluate(inputs);

        Assert.Equal(QuiesceVerdict.ApplicationConsistent, r.Verdict);
        QuiesceCheck state = Single(r, CheckNames.VMState);
        Assert.Equal(CheckStatus.Pass, state.Status);
        Assert.Contains("offline", state.Message);
        Assert.DoesNotContain(r.Checks, c => c.Name == CheckNames.AgentConnected);
        Assert.Equal("the VM is stopped; an offline snapshot needs no freeze.", QuiesceEvaluator.TrialSkipReason(inputs));
    }

    [Fact]
    public void A_starting_vm_is_crash_consistent_until_it_runs()
    {
        QuiesceReadiness r = QuiesceEvaluator.Evaluate(Healthy(vm: Vm(printable: "Starting"), vmi: Vmi(phase: "Scheduling", agent: false)) with
        {
            AgentSamples = new[] { false, false, false },
            GuestInfo = null,
        });

        Assert.Equal(QuiesceVerdict.CrashConsistentOnly, r.Verdict);
        Assert.Equal("Scheduling", r.State);
        Assert.Equal(CheckStatus.Warn, Single(r, CheckNames.VMState).Status);
    }

    [Fact]
    public void No_captured_disk_means_config_only_even_for_a_stopped_vm()
    {
        const string reason = "No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass [nfs-csi] [rootdisk]";
        JsonObject vm = Vm("nfs01", "Stopped", ("rootdisk", "persistentVolumeClaim", false, reason),
            ("cloudinitdisk", "cloudInitNoCloud", false, "Snapshot is not supported for this volumeSource type [cloudinitdisk]"));

        QuiesceReadiness r = QuiesceEvaluator.Evaluate(Healthy(vm: vm) with { Vmi = null, AgentSamples = Array.Empty<bool>(), GuestInfo = null });

        Assert.Equal(QuiesceVerdict.ConfigOnly, r.Verdict);
        Assert.Equal(SnapshotCoverage.ConfigOnly, r.Coverage);
        Assert.Equal(QuiesceVerdict.ConfigOnly, QuiesceEvaluator.Evaluate(Healthy(vm: vm) with { Vmi = null, AgentSamples = Array.Empty<bool>(), GuestInfo = null }, allowPartial: true).Verdict);
        QuiesceCheck root = Assert.Single(r.Checks, c => c.Name == CheckNames.Volume && c.Target == "rootdisk");
        Assert.Equal(CheckStatus.Fail, root.Status);
        Assert.Contains(reason, root.Message);
        Assert.Equal(CheckStatus.Pass, Assert.Single(r.Checks, c => c.Target == "cloudinitdisk").Status);
        Assert.Equal(new[] { "rootdisk" }, r.NotCapturedVolumes);
    }

    [Fact]
    public void A_disk_left_out_makes_the_verdict_partial_never_application_consistent()
    {
        JsonObject vm = Vm("db", "Running", ("rootdisk", "persistentVolumeClaim", true, null),
            ("data", "persistentVolumeClaim", false, "No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass [nfs-csi] [data]"));

        QuiesceReadiness r = QuiesceEvaluator.Evaluate(Healthy(vm: vm));

        Assert.Equal(QuiesceVerdict.Partial, r.Verdict);
        Assert.False(r.IsApplicationConsistent); // what -Quiet returns
        Assert.Equal(SnapshotCoverage.Partial, r.Coverage);
        Assert.Equal(1, r.FailCount);
        Assert.Equal(new[] { "data" }, r.NotCapturedVolumes);
        Assert.StartsWith("Volume 'data' (persistentVolumeClaim) is NOT captured", r.Summary);
    }

    [Fact]
    public void With_allow_partial_the_verdict_judges_what_is_captured_and_coverage_still_says_partial()
    {
        JsonObject vm = Vm("db", "Running", ("rootdisk", "persistentVolumeClaim", true, null),
            ("data", "persistentVolumeClaim", false, "No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass [nfs-csi] [data]"));

        QuiesceReadiness accepted = QuiesceEvaluator.Evaluate(Healthy(vm: vm), allowPartial: true);
        QuiesceReadiness noAgent = QuiesceEvaluator.Evaluate(Healthy(vm: vm) with { AgentSamples = new[] { false, false, false } }, allowPartial: true);

        Assert.Equal(QuiesceVerdict.ApplicationConsistent, accepted.Verdict);
        Assert.True(accepted.IsApplicationConsistent);
        Assert.Equal(SnapshotCoverage.Partial, accepted.Coverage);
        Assert.StartsWith("Volume 'data' (persistentVolumeClaim) is NOT captured", accepted.Summary);
        Assert.Equal(QuiesceVerdict.CrashConsistentOnly, noAgent.Verdict);
    }

    [Fact]
    public void Cloud_init_and_ephemeral_disks_left_out_keep_all_disks()
    {
        JsonObject vm = Vm("web", "Running", ("rootdisk", "dataVolume", true, null),
            ("cloudinitdisk", "cloudInitNoCloud", false, "Snapshot is not supported for this volumeSource type [cloudinitdisk]"),
            ("scratch", "emptyDisk", false, "Snapshot is not supported for this volumeSource type [scratch]"));

        QuiesceReadiness r = QuiesceEvaluator.Evaluate(Healthy(vm: vm));

        Assert.Equal(QuiesceVerdict.ApplicationConsistent, r.Verdict);
        Assert.Equal(SnapshotCoverage.AllDisks, r.Coverage);
        Assert.Equal(CheckStatus.Warn, Assert.Single(r.Checks, c => c.Target == "scratch").Status);
    }

    [Fact]
    public void Missing_volume_statuses_are_unknown_not_config_only()
    {
        JsonObject vm = Vm("new", "Running", ("rootdisk", "dataVolume", null, null));

        QuiesceReadiness r = QuiesceEvaluator.Evaluate(Healthy(vm: vm));

        Assert.Equal(QuiesceVerdict.ApplicationConsistent, r.Verdict);
        Assert.Equal(SnapshotCoverage.Unknown, r.Coverage);
        Assert.Equal(CheckStatus.Warn, Single(r, CheckNames.VolumeStatuses).Status);
    }

    [Fact]
    public void The_feature_gate_off_or_no_create_right_blocks_before_anything_else()
    {
        JsonObject configOnly = Vm("x", "Running", ("rootdisk", "persistentVolumeClaim", false, "PVC not found"));
        QuiesceReadiness gate = QuiesceEvaluator.Evaluate(Healthy(vm: configOnly) with
        {
            FeatureGate = new FeatureGateAnswer(FeatureGateState.Disabled, "listed in disabledFeatureGates"),
        });
        QuiesceReadiness rbac = QuiesceEvaluator.Evaluate(Healthy() with
        {
            CanCreateSnapshot = new AccessAnswer(false, "create virtualmachinesnapshots: denied"),
        });

        Assert.Equal(QuiesceVerdict.Blocked, gate.Verdict);
        Assert.Equal(CheckStatus.Fail, Single(gate, CheckNames.FeatureGate).Status);
        Assert.Contains("feature gate is off", gate.Summary);
        Assert.Equal(QuiesceVerdict.Blocked, rbac.Verdict);
        Assert.Equal(CheckStatus.Fail, Single(rbac, CheckNames.CanCreateSnapshot).Status);
        Assert.Contains("may not create VirtualMachineSnapshots", rbac.Summary);
    }

    [Fact]
    public void What_could_not_be_checked_is_never_a_pass()
    {
        QuiesceReadiness r = QuiesceEvaluator.Evaluate(Healthy() with
        {
            FeatureGate = FeatureGateAnswer.Unknown("you may not list kubevirts.kubevirt.io"),
            CanCreateSnapshot = AccessAnswer.Unknown("the access review failed"),
            CanFreeze = AccessAnswer.Unknown("the access review failed"),
            SnapshotsUnreadable = "forbidden",
        });

        Assert.Equal(CheckStatus.Manual, Single(r, CheckNames.FeatureGate).Status);
        Assert.Equal(CheckStatus.Warn, Single(r, CheckNames.CanCreateSnapshot).Status);
        Assert.Equal(CheckStatus.Warn, Single(r, CheckNames.CanFreeze).Status);
        Assert.Equal(CheckStatus.Manual, Single(r, CheckNames.LastSnapshot).Status);
        Assert.Equal(QuiesceVerdict.ApplicationConsistent, r.Verdict);
    }

    [Fact]
    public void In_guest_checks_are_manual_for_linux_and_windows()
    {
        QuiesceReadiness linux = QuiesceEvaluator.Evaluate(Healthy());
        QuiesceReadiness windows = QuiesceEvaluator.Evaluate(Healthy(vmi: Vmi(osId: "mswindows")) with
        {
            GuestInfo = GuestInfoAnswer.Of(GuestInfo("mswindows", "100.0.0")),
        });

        Assert.Equal(CheckStatus.Manual, Single(linux, CheckNames.FsfreezeHooks).Status);
        Assert.Equal(CheckStatus.Manual, Single(linux, CheckNames.FsfreezeHookSamples).Status);
        Assert.DoesNotContain(linux.Checks, c => c.Name == CheckNames.WindowsVssWindow);
        Assert.True(windows.IsWindows);
        Assert.Equal(QuiesceVerdict.ApplicationConsistent, windows.Verdict);
        Assert.Equal(CheckStatus.Warn, Single(windows, CheckNames.WindowsVssWindow).Status);
        Assert.Equal(CheckStatus.Manual, Single(windows, CheckNames.SqlServerVss).Status);
        Assert.Contains("100.0.0", Single(windows, CheckNames.SqlServerVss).Message);
        Assert.Equal(CheckStatus.Manual, Single(windows, CheckNames.VssProvider).Status);
        Assert.DoesNotContain(windows.Checks, c => c.Name == CheckNames.FsfreezeHooks);
        Assert.Equal(Single(windows, CheckNames.WindowsVssWindow).Message, windows.Summary);
    }

    [Fact]
    public void A_guest_booted_minutes_ago_warns_that_the_agent_and_vss_may_not_be_ready()
    {
        QuiesceInputs inputs = Healthy(vmi: Vmi(runningSince: DateTime.UtcNow.AddMinutes(-2), osId: "mswindows")) with
        {
            GuestInfo = GuestInfoAnswer.Of(GuestInfo("mswindows")),
        };

        QuiesceCheck boot = Single(QuiesceEvaluator.Evaluate(inputs), CheckNames.BootTime);

        Assert.Equal(CheckStatus.Warn, boot.Status);
        Assert.Contains("VSS", boot.Message);
        Assert.Equal(CheckStatus.Pass, Single(QuiesceEvaluator.Evaluate(Healthy()), CheckNames.BootTime).Status);
    }

    [Fact]
    public void An_unsupported_agent_version_warns_in_kubevirts_words()
    {
        JsonObject vmi = Vmi();
        ((JsonArray)vmi["status"]!["conditions"]!).Add(new JsonObject
        {
            ["type"] = "AgentVersionNotSupported", ["status"] = "True", ["reason"] = "Guest agent version '2.5' is not supported",
        });

        QuiesceCheck check = Single(QuiesceEvaluator.Evaluate(Healthy(vmi: vmi)), CheckNames.AgentVersion);

        Assert.Equal(CheckStatus.Warn, check.Status);
        Assert.Contains("Guest agent version '2.5' is not supported", check.Message);
    }

    [Fact]
    public void A_volume_hot_plugged_only_into_the_instance_fails_and_a_persisted_one_passes()
    {
        JsonObject vm = Vm("hp", "Running", ("rootdisk", "dataVolume", true, null), ("persisted", "persistentVolumeClaim", true, null));
        vm["spec"]!["template"]!["spec"]!["volumes"]![1]!["persistentVolumeClaim"]!["hotpluggable"] = true;
        JsonObject vmi = Vmi("hp");
        vmi["spec"]!["volumes"] = new JsonArray(
            new JsonObject { ["name"] = "rootdisk", ["dataVolume"] = new JsonObject { ["name"] = "rootdisk" } },
            new JsonObject { ["name"] = "scratch", ["persistentVolumeClaim"] = new JsonObject { ["claimName"] = "scratch", ["hotpluggable"] = true } });
        vmi["status"]!["volumeStatus"] = new JsonArray(new JsonObject
        {
            ["name"] = "scratch", ["hotplugVolume"] = new JsonObject { ["attachPodName"] = "hp-attach" },
        });

        QuiesceReadiness r = QuiesceEvaluator.Evaluate(Healthy(vm: vm, vmi: vmi));

        Assert.Equal(CheckStatus.Fail, Assert.Single(r.Checks, c => c.Name == CheckNames.HotplugVolume && c.Target == "scratch").Status);
        Assert.Equal(CheckStatus.Pass, Assert.Single(r.Checks, c => c.Name == CheckNames.HotplugVolume && c.Target == "persisted").Status);
        Assert.Equal(new[] { "scratch" }, r.NotCapturedVolumes);
        Assert.Equal(QuiesceVerdict.Partial, r.Verdict);
        Assert.Equal(SnapshotCoverage.Partial, r.Coverage);
    }

    [Fact]
    public void Without_the_right_to_freeze_only_the_trial_is_affected()
    {
        QuiesceInputs inputs = Healthy() with { CanFreeze = new AccessAnswer(false, "update virtualmachineinstances/freeze: denied") };

        QuiesceReadiness r = QuiesceEvaluator.Evaluate(inputs);

        Assert.Equal(QuiesceVerdict.ApplicationConsistent, r.Verdict);
        Assert.Equal(CheckStatus.Warn, Single(r, CheckNames.CanFreeze).Status);
        Assert.DoesNotContain("freeze guests", r.Summary);
        Assert.Contains("may not freeze", QuiesceEvaluator.TrialSkipReason(inputs));
    }
}
