using VmSnapshot.Core.Snapshots;
using Xunit;

namespace VmSnapshot.Tests.Core;

public class ConsistencyRulesTests
{
    [Theory]
    [InlineData(new[] { "Online", "GuestAgent" }, SnapshotConsistency.ApplicationConsistent)]
    [InlineData(new[] { "Online", "NoGuestAgent" }, SnapshotConsistency.CrashConsistent)]
    [InlineData(new[] { "Online", "GuestAgent", "QuiesceTimeout" }, SnapshotConsistency.CrashConsistent)]
    [InlineData(new[] { "Online", "GuestAgent", "QuiesceFailed" }, SnapshotConsistency.CrashConsistent)] // KubeVirt 1.6-1.7
    [InlineData(new[] { "Online", "Paused" }, SnapshotConsistency.CrashConsistent)]
    [InlineData(new[] { "Online" }, SnapshotConsistency.CrashConsistent)]
    [InlineData(new string[0], SnapshotConsistency.Offline)]
    [InlineData(new[] { "PartialSnapshot" }, SnapshotConsistency.Offline)]
    [InlineData(new[] { "Online", "GuestAgent", "SomethingFromTheFuture" }, SnapshotConsistency.ApplicationConsistent)]
    public void Derives_consistency_from_indications_of_a_succeeded_snapshot(string[] indications,
        SnapshotConsistency expected) =>
        Assert.Equal(expected, ConsistencyRules.Derive(SnapshotPhase.Succeeded, indications));

    [Theory]
    [InlineData(SnapshotPhase.Pending)]
    [InlineData(SnapshotPhase.InProgress)]
    [InlineData(SnapshotPhase.Failed)]
    [InlineData(SnapshotPhase.Unknown)]
    public void Is_unknown_until_the_snapshot_succeeded(SnapshotPhase phase) =>
        Assert.Equal(SnapshotConsistency.Unknown, ConsistencyRules.Derive(phase, new[] { "Online", "GuestAgent" }));
}
