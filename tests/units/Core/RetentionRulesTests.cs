using VmSnapshot.Core.Snapshots;
using Xunit;

namespace VmSnapshot.Tests.Core;

/// <summary>
/// Retention as real clusters present snapshots: every VM has module-created, hand-taken, failed and in-progress
/// snapshots. A failed snapshot has no status.creationTime on a real cluster, so its time is the object's
/// creationTimestamp (the mapper's fallback); an in-progress one may have no time at all yet.
/// </summary>
public class RetentionRulesTests
{
    private static readonly DateTime s_now = new(2026, 11, 26, 12, 0, 0, DateTimeKind.Local);
    private static readonly Dictionary<string, string> s_none = new();
    private static readonly Dictionary<string, string> s_nightly = new() { ["vmsnapshot.io/policy"] = "nightly" };

    private static KubeVirtVMSnapshot Good(string vm, string name, int daysAgo, bool nightly = true) => new()
    {
        Name = name, Namespace = "vms", VMName = vm, Phase = SnapshotPhase.Succeeded, ReadyToUse = true,
        CreationTime = s_now.AddDays(-daysAgo), Labels = nightly ? new(s_nightly) : new(),
    };

    private static KubeVirtVMSnapshot Failed(string vm, string name, int daysAgo) => new()
    {
        Name = name, Namespace = "vms", VMName = vm, Phase = SnapshotPhase.Failed, ReadyToUse = false,
        CreationTime = s_now.AddDays(-daysAgo), Labels = new(s_nightly),
    };

    private static KubeVirtVMSnapshot InProgress(string vm, string name, DateTime? created) => new()
    {
        Name = name, Namespace = "vms", VMName = vm, Phase = SnapshotPhase.InProgress, ReadyToUse = false,
        CreationTime = created, Labels = new(s_nightly),
    };

    private static KubeVirtVMSnapshot[] Fleet() =>
    [
        Good("web", "web-n1", 40), Good("web", "web-n2", 20), Good("web", "web-n3", 10),
        Failed("web", "web-failed", 1), InProgress("web", "web-now", null), Good("web", "web-before-upgrade", 30, nightly: false),
        Good("db", "db-n1", 50), Failed("db", "db-failed", 3), InProgress("db", "db-now", s_now.AddMinutes(-2)),
        Good("db", "db-manual", 5, nightly: false),
    ];

    private static string[] Names(IEnumerable<KubeVirtVMSnapshot> snapshots) => snapshots.Select(s => s.Name).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void KeepLast_keeps_the_newest_usable_ones_and_a_failed_one_never_takes_a_place()
    {
        RetentionPlan plan = RetentionRules.Plan(Fleet(), new RetentionPolicy(2, null, false), s_none, s_now);
        // web keeps n3 (10 days) and n2 (20 days): the failed one (1 day) is newer but protects nothing, so it goes.
        // db keeps manual and n1; db-failed goes. Snapshots being taken are spared.
        Assert.Equal(["db-failed", "web-before-upgrade", "web-failed", "web-n1"], Names(plan.Remove));
        Assert.Equal(["db-now", "web-now"], Names(plan.Spared.Select(s => s.Snapshot)));
        Assert.All(plan.Spared, s => Assert.Contains("still being taken", s.Reason));
    }

    [Fact]
    public void KeepLast_over_a_labelled_selection_never_touches_hand_taken_snapshots()
    {
        // The runbook selects its own snapshots by label (server-side); hand-taken ones are not candidates at all.
        KubeVirtVMSnapshot[] own = Fleet().Where(s => s.Labels.ContainsKey("vmsnapshot.io/policy")).ToArray();
        RetentionPlan plan = RetentionRules.Plan(own, new RetentionPolicy(1, null, false), s_none, s_now);
        Assert.Equal(["db-failed", "web-failed", "web-n1", "web-n2"], Names(plan.Remove));
        Assert.DoesNotContain(plan.Remove, s => s.Name is "web-before-upgrade" or "db-manual");
    }

    [Fact]
    public void KeepLast_zero_removes_every_finished_snapshot_but_none_being_taken()
    {
        RetentionPlan plan = RetentionRules.Plan(Fleet(), new RetentionPolicy(0, null, false), s_none, s_now);
        Assert.Equal(8, plan.Remove.Count);
        Assert.DoesNotContain(plan.Remove, s => s.Phase == SnapshotPhase.InProgress);
    }

    [Fact]
    public void OlderThan_uses_the_failed_snapshots_object_time_and_never_selects_a_snapshot_without_a_time()
    {
        RetentionPlan plan = RetentionRules.Plan(Fleet(), new RetentionPolicy(null, s_now.AddDays(-2), false), s_none, s_now);
        Assert.Equal(["db-failed", "db-manual", "db-n1", "web-before-upgrade", "web-n1", "web-n2", "web-n3"], Names(plan.Remove));
        Assert.Empty(plan.Spared); // web-now has no time: never "older than"; db-now is 2 minutes old.
    }

    [Fact]
    public void KeepLast_and_OlderThan_together_remove_only_what_both_allow()
    {
        RetentionPlan plan = RetentionRules.Plan(Fleet(), new RetentionPolicy(1, s_now.AddDays(-15), false), s_none, s_now);
        Assert.Equal(["db-n1", "web-before-upgrade", "web-n1", "web-n2"], Names(plan.Remove));
    }

    [Fact]
    public void Expired_removes_only_snapshots_whose_expiry_has_passed()
    {
        KubeVirtVMSnapshot[] fleet = Fleet();
        fleet.Single(s => s.Name == "web-n1").ExpiresAt = s_now.AddHours(-1);
        fleet.Single(s => s.Name == "web-n2").ExpiresAt = s_now.AddHours(1);
        fleet.Single(s => s.Name == "web-now").ExpiresAt = s_now.AddHours(-1);
        RetentionPlan plan = RetentionRules.Plan(fleet, new RetentionPolicy(null, null, true), s_none, s_now);
        Assert.Equal(["web-n1"], Names(plan.Remove));
        Assert.Equal(["web-now"], Names(plan.Spared.Select(s => s.Snapshot)));
    }

    [Fact]
    public void A_snapshot_a_restore_or_clone_reads_from_is_never_removed_even_by_name()
    {
        Dictionary<string, string> inUse = new() { ["vms/web-n1"] = "restore 'web-restore-1' in progress" };
        RetentionPlan byName = RetentionRules.Plan(Fleet().Where(s => s.Name == "web-n1"), new RetentionPolicy(null, null, false), inUse, s_now);
        Assert.Empty(byName.Remove);
        SparedSnapshot spared = Assert.Single(byName.Spared);
        Assert.True(spared.InUse);
        Assert.Contains("web-restore-1", spared.Reason);

        RetentionPlan byRule = RetentionRules.Plan(Fleet(), new RetentionPolicy(0, null, false), inUse, s_now);
        Assert.DoesNotContain(byRule.Remove, s => s.Name == "web-n1");
    }

    [Fact]
    public void Without_a_rule_a_named_snapshot_being_taken_can_be_deleted_to_abort_it()
    {
        RetentionPlan plan = RetentionRules.Plan(Fleet().Where(s => s.Name == "web-now"), new RetentionPolicy(null, null, false), s_none, s_now);
        Assert.Equal(["web-now"], Names(plan.Remove));
    }

    [Fact]
    public void Latest_returns_the_newest_usable_snapshots_unless_asked_for_all()
    {
        Assert.Equal(["db-manual", "web-n3"], Names(RetentionRules.LatestPerVm(Fleet(), 1)));
        Assert.Equal(["db-now", "web-now"], Names(RetentionRules.LatestPerVm(Fleet(), 1, includeUnusable: true)));
    }

    [Fact]
    public void A_negative_keep_count_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RetentionRules.Plan(Fleet(), new RetentionPolicy(-1, null, false), s_none, s_now));
    }
}
