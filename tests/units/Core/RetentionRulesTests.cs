using VmSnapshot.Core.Snapshots;
using Xunit;

namespace VmSnapshot.Tests.Core;

public class RetentionRulesTests
{
    private static readonly DateTime s_now = new(2026, 11, 26, 12, 0, 0, DateTimeKind.Local);

    private static KubeVirtVMSnapshot Snap(string vm, string name, int daysAgo) =>
        new() { Name = name, Namespace = "vms", VMName = vm, CreationTime = s_now.AddDays(-daysAgo) };

    private static readonly KubeVirtVMSnapshot[] s_snapshots =
    {
        Snap("web", "web-1", 40), Snap("web", "web-2", 20), Snap("web", "web-3", 10), Snap("web", "web-4", 1),
        Snap("db", "db-1", 50), Snap("db", "db-2", 2),
        new() { Name = "web-new", Namespace = "vms", VMName = "web", CreationTime = null }, // being taken
    };

    [Fact]
    public void KeepLast_keeps_the_newest_per_vm_counting_a_snapshot_in_progress_as_newest()
    {
        var removed = RetentionRules.SelectForRemoval(s_snapshots, keepLast: 2, olderThan: null).Select(s => s.Name).OrderBy(n => n);
        Assert.Equal(new[] { "web-1", "web-2", "web-3" }, removed);
    }

    [Fact]
    public void OlderThan_removes_only_snapshots_before_the_cutoff_and_never_one_without_a_time()
    {
        var removed = RetentionRules.SelectForRemoval(s_snapshots, keepLast: null, olderThan: s_now.AddDays(-15)).Select(s => s.Name).OrderBy(n => n);
        Assert.Equal(new[] { "db-1", "web-1", "web-2" }, removed);
    }

    [Fact]
    public void Both_rules_keep_the_newest_n_and_remove_older_ones_of_the_rest()
    {
        var removed = RetentionRules.SelectForRemoval(s_snapshots, keepLast: 1, olderThan: s_now.AddDays(-15)).Select(s => s.Name).OrderBy(n => n);
        // db-1 is db's older snapshot and older than the cutoff; web-3 is beyond the kept one but too young.
        Assert.Equal(new[] { "db-1", "web-1", "web-2" }, removed);
    }

    [Fact]
    public void KeepLast_zero_and_no_rule_remove_everything_selected()
    {
        Assert.Equal(s_snapshots.Length, RetentionRules.SelectForRemoval(s_snapshots, 0, null).Count);
        Assert.Equal(s_snapshots.Length, RetentionRules.SelectForRemoval(s_snapshots, null, null).Count);
    }

    [Fact]
    public void Latest_returns_the_newest_n_of_each_vm_newest_first()
    {
        var latest = RetentionRules.LatestPerVm(s_snapshots.Where(s => s.CreationTime is not null), 1).Select(s => s.Name).OrderBy(n => n);
        Assert.Equal(new[] { "db-2", "web-4" }, latest);
    }
}
