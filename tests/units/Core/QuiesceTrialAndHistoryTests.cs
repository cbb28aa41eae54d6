using System.Text.Json.Nodes;
using VmSnapshot.Core.Quiesce;
using Xunit;
using static VmSnapshot.Tests.Core.QuiesceFixtures;

namespace VmSnapshot.Tests.Core;

/// <summary>How a -Trial outcome and the VM's newest snapshot show in the checks and the verdict.</summary>
public class QuiesceTrialAndHistoryTests
{
    private static QuiesceCheck Single(QuiesceReadiness r, string name) => Assert.Single(r.Checks, c => c.Name == name);

    [Fact]
    public void A_clean_trial_passes_and_reports_how_long_the_freeze_took()
    {
        QuiesceReadiness r = QuiesceEvaluator.Evaluate(Healthy() with
        {
            Trial = new TrialOutcome { FreezeDuration = TimeSpan.FromMilliseconds(850), StillFrozen = false },
        });

        Assert.Equal(QuiesceVerdict.ApplicationConsistent, r.Verdict);
        Assert.Equal(TimeSpan.FromMilliseconds(850), r.TrialFreezeDuration);
        QuiesceCheck trial = Single(r, CheckNames.TrialFreeze);
        Assert.Equal(CheckStatus.Pass, trial.Status);
        Assert.Contains("850 ms", trial.Message);
    }

    [Fact]
    public void A_failed_trial_freeze_is_reported_verbatim_and_makes_it_crash_consistent()
    {
        const string error = "Internal error occurred: unexpected return code 400 (400 Bad Request), message: fsfreeze hook has failed with status 1";

        QuiesceReadiness r = QuiesceEvaluator.Evaluate(Healthy() with { Trial = new TrialOutcome { FreezeError = error } });

        Assert.Equal(QuiesceVerdict.CrashConsistentOnly, r.Verdict);
        QuiesceCheck trial = Single(r, CheckNames.TrialFreeze);
        Assert.Equal(CheckStatus.Fail, trial.Status);
        Assert.Contains(error, trial.Message);
        Assert.Contains("qga-fsfreeze-hook.log", trial.Message);
        Assert.Null(r.TrialFreezeDuration);
    }

    [Fact]
    public void A_thaw_refused_after_the_vss_window_fails_with_the_quiesce_timeout_hint()
    {
        QuiesceReadiness r = QuiesceEvaluator.Evaluate(Healthy() with
        {
            Trial = new TrialOutcome
            {
                FreezeDuration = TimeSpan.FromSeconds(1), Held = TimeSpan.FromSeconds(12), StillFrozen = false,
                ThawError = "couldn't hold writes: fsfreeze is limited up to 10 seconds",
            },
        });

        QuiesceCheck trial = Single(r, CheckNames.TrialFreeze);
        Assert.Equal(CheckStatus.Fail, trial.Status);
        Assert.Contains("QuiesceTimeout", trial.Message);
        Assert.Equal(QuiesceVerdict.CrashConsistentOnly, r.Verdict);
    }

    [Fact]
    public void A_guest_still_frozen_after_the_thaws_fails_and_names_the_clusters_own_thaw()
    {
        QuiesceReadiness r = QuiesceEvaluator.Evaluate(Healthy() with
        {
            Trial = new TrialOutcome
            {
                FreezeDuration = TimeSpan.FromSeconds(1), StillFrozen = true, UnfreezeTimeout = TimeSpan.FromSeconds(30),
            },
        });

        QuiesceCheck trial = Single(r, CheckNames.TrialFreeze);
        Assert.Equal(CheckStatus.Fail, trial.Status);
        Assert.Contains("still reports fsFreezeStatus 'frozen'", trial.Message);
        Assert.Contains("30 s", trial.Message);
        Assert.Equal(QuiesceVerdict.CrashConsistentOnly, r.Verdict);
    }

    [Fact]
    public void A_skipped_trial_warns_without_changing_the_verdict()
    {
        QuiesceReadiness r = QuiesceEvaluator.Evaluate(Healthy() with { Trial = TrialOutcome.Skipped("the VM is paused.") });

        Assert.Equal(QuiesceVerdict.ApplicationConsistent, r.Verdict);
        Assert.Equal(CheckStatus.Warn, Single(r, CheckNames.TrialFreeze).Status);
    }

    [Theory]
    [InlineData(new[] { "Online", "GuestAgent" }, CheckStatus.Pass, "application-consistent")]
    [InlineData(new[] { "Online", "GuestAgent", "QuiesceTimeout" }, CheckStatus.Warn, "QuiesceTimeout")]
    [InlineData(new[] { "Online", "NoGuestAgent" }, CheckStatus.Warn, "NoGuestAgent")]
    [InlineData(new[] { "Online", "Paused" }, CheckStatus.Warn, "paused")]
    [InlineData(new string[0], CheckStatus.Pass, "offline")]
    [InlineData(new[] { "Online", "GuestAgent", "PartialSnapshot" }, CheckStatus.Warn, "did not contain every disk")]
    public void The_newest_snapshots_indications_are_explained(string[] indications, CheckStatus status, string text)
    {
        KubeVirtVMSnapshot last = new()
        {
            Name = "web01-nightly", Namespace = "vms", VMName = "web01", Phase = SnapshotPhase.Succeeded, ReadyToUse = true,
            Indications = indications, CreationTime = DateTime.Now.AddHours(-5),
            Consistency = VmSnapshot.Core.Snapshots.ConsistencyRules.Derive(SnapshotPhase.Succeeded, indications),
        };

        QuiesceCheck check = Single(QuiesceEvaluator.Evaluate(Healthy() with { LatestSnapshot = last }), CheckNames.LastSnapshot);

        Assert.Equal(status, check.Status);
        Assert.Contains(text, check.Message);
        Assert.Contains("web01-nightly", check.Message);
    }

    [Fact]
    public void A_failed_newest_snapshot_shows_its_error_and_no_history_adds_no_check()
    {
        KubeVirtVMSnapshot failed = new()
        {
            Name = "web01-x", VMName = "web01", Phase = SnapshotPhase.Failed,
            Error = "Failed freezing vm: fsfreeze hook has failed with status 1",
        };

        QuiesceCheck check = Single(QuiesceEvaluator.Evaluate(Healthy() with { LatestSnapshot = failed }), CheckNames.LastSnapshot);

        Assert.Equal(CheckStatus.Warn, check.Status);
        Assert.Contains("fsfreeze hook has failed with status 1", check.Message);
        Assert.Contains("qga-fsfreeze-hook.log", check.Message);
        Assert.DoesNotContain(QuiesceEvaluator.Evaluate(Healthy()).Checks, c => c.Name == CheckNames.LastSnapshot);
    }

    [Fact]
    public void Cloud_init_left_out_of_a_snapshot_does_not_make_it_partial()
    {
        KubeVirtVMSnapshot last = new()
        {
            Name = "s", VMName = "web01", Phase = SnapshotPhase.Succeeded, Indications = new[] { "Online", "GuestAgent" },
            ExcludedVolumes = new[] { "cloudinitdisk" }, Consistency = SnapshotConsistency.ApplicationConsistent,
        };
        JsonObject vm = Vm("web01", "Running", ("rootdisk", "dataVolume", true, null),
            ("cloudinitdisk", "cloudInitNoCloud", false, "Snapshot is not supported for this volumeSource type [cloudinitdisk]"));

        QuiesceCheck check = Single(QuiesceEvaluator.Evaluate(Healthy(vm: vm) with { LatestSnapshot = last }), CheckNames.LastSnapshot);

        Assert.Equal(CheckStatus.Pass, check.Status);
    }

    [Fact]
    public void A_newest_snapshot_that_left_a_data_disk_out_warns_even_without_the_partial_indication()
    {
        // KubeVirt before 1.9 lists the disk as excluded and says no more; the VM's spec shows it is a PVC.
        KubeVirtVMSnapshot last = new()
        {
            Name = "db-nightly", VMName = "db", Phase = SnapshotPhase.Succeeded, Indications = new[] { "GuestAgent", "Online" },
            IncludedVolumes = new[] { "rootdisk" }, ExcludedVolumes = new[] { "data" },
            Consistency = SnapshotConsistency.ApplicationConsistent,
        };
        JsonObject vm = Vm("db", "Running", ("rootdisk", "persistentVolumeClaim", true, null),
            ("data", "persistentVolumeClaim", false, "No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass [nfs-csi] [data]"));

        QuiesceCheck check = Single(QuiesceEvaluator.Evaluate(Healthy(vm: vm) with { LatestSnapshot = last }, allowPartial: true), CheckNames.LastSnapshot);

        Assert.Equal(CheckStatus.Warn, check.Status);
        Assert.Contains("did not contain every disk (left out: data)", check.Message);
    }
}
