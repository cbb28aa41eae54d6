using System.Text.Json;
using VmSnapshot.Core.Snapshots;
using Xunit;

namespace VmSnapshot.Tests.Core;

public class SnapshotProgressRulesTests
{
    private static SnapshotProgress Evaluate(string status, string spec = "{}", string extraMetadata = "")
    {
        using JsonDocument document = JsonDocument.Parse(
            $$"""{"metadata":{"name":"s","namespace":"vms","creationTimestamp":"2026-11-26T10:00:00Z"{{extraMetadata}}},"spec":{{spec}},"status":{{status}}}""");
        return SnapshotProgressRules.Evaluate(document.RootElement);
    }


    private static string Conditions(string progressingStatus, string reason) =>
        $$"""[{"type":"Progressing","status":"{{progressingStatus}}","reason":"{{reason}}"},{"type":"Ready","status":"False","reason":"Not ready"}]""";

    [Fact]
    public void A_snapshot_without_status_is_pending() =>
        Assert.Equal(SnapshotStage.Pending, Evaluate("{}").Stage);

    [Fact]
    public void Succeeded_is_not_done_until_ready_to_use()
    {
        SnapshotProgress cut = Evaluate("""{"phase":"Succeeded","readyToUse":false}""");
        SnapshotProgress ready = Evaluate("""{"phase":"Succeeded","readyToUse":true}""");
        Assert.Equal(SnapshotStage.Cut, cut.Stage);
        Assert.False(cut.IsFinal);
        Assert.Equal(SnapshotStage.Ready, ready.Stage);
        Assert.True(ready.IsFinal);
    }

    [Fact]
    public void A_missing_source_is_reported_not_waited_out()
    {
        SnapshotProgress p = Evaluate($$"""{"phase":"InProgress","conditions":{{Conditions("False", "Source does not exist")}}}""");
        Assert.Equal(SnapshotStage.SourceMissing, p.Stage);
        Assert.True(p.IsFinal);
    }

    [Fact]
    public void A_freeze_error_is_retrying_with_the_clusters_message()
    {
        SnapshotProgress p = Evaluate($$"""{"phase":"InProgress","error":{"message":"command Freeze failed: QEMU guest agent is not connected"},"conditions":{{Conditions("False", "In error state")}}}""");
        Assert.Equal(SnapshotStage.Retrying, p.Stage);
        Assert.False(p.IsFinal);
        Assert.Contains("command Freeze failed", p.Message);
    }

    [Fact]
    public void Waiting_for_the_lock_is_told_apart_from_progress()
    {
        Assert.Equal(SnapshotStage.WaitingForLock,
            Evaluate($$"""{"phase":"InProgress","conditions":{{Conditions("False", "Source not locked source vms/web volume not bound: web-disk")}}}""").Stage);
        Assert.Equal(SnapshotStage.InProgress,
            Evaluate($$"""{"phase":"InProgress","conditions":{{Conditions("True", "Source locked and operation in progress")}}}""").Stage);
    }

    /// <summary>A failureDeadline expiry as KubeVirt writes it (snapshot.go updateSnapshotStatus): no status.error.</summary>
    private const string DeadlineConditions = """[{"type":"Progressing","status":"False","reason":"Operation failed"},{"type":"Ready","status":"False","reason":"Not ready"},{"type":"Failure","status":"True","reason":"snapshot deadline exceeded"}]""";

    [Fact]
    public void Failed_carries_the_error_and_deletion_is_final()
    {
        SnapshotProgress failed = Evaluate("""{"phase":"Failed","error":{"message":"VolumeSnapshots (vs-a) missing"}}""");
        Assert.Equal(SnapshotStage.Failed, failed.Stage);
        Assert.Equal("VolumeSnapshots (vs-a) missing", failed.Message);
        Assert.Equal(SnapshotStage.Deleting, Evaluate("""{"phase":"InProgress"}""", extraMetadata: ""","deletionTimestamp":"2026-11-26T10:01:00Z" """).Stage);
    }

    [Fact]
    public void A_deadline_failure_is_read_from_the_failure_condition()
    {
        SnapshotProgress failed = Evaluate($$"""{"phase":"Failed","readyToUse":false,"conditions":{{DeadlineConditions}}}""");
        Assert.Equal(SnapshotStage.Failed, failed.Stage);
        Assert.Equal("snapshot deadline exceeded", failed.Message);
    }

    [Fact]
    public void A_deadline_that_ended_a_failing_freeze_says_both()
    {
        string conditions = DeadlineConditions.Replace("Operation failed", "In error state", StringComparison.Ordinal);
        SnapshotProgress failed = Evaluate($$"""{"phase":"Failed","error":{"message":"command Freeze failed: fsfreeze hook has failed with status 1"},"conditions":{{conditions}}}""");
        Assert.Equal(SnapshotStage.Failed, failed.Stage);
        Assert.Equal("snapshot deadline exceeded; last error: command Freeze failed: fsfreeze hook has failed with status 1", failed.Message);
    }

    [Theory]
    [InlineData("{}", 300)]
    [InlineData("""{"failureDeadline":"40s"}""", 40)]
    public void The_deadline_is_creation_plus_failure_deadline(string spec, int seconds) =>
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero).AddSeconds(seconds), Evaluate("{}", spec).Deadline);

    [Fact]
    public void Zero_means_no_deadline() => Assert.Null(Evaluate("{}", """{"failureDeadline":"0s"}""").Deadline);

    [Fact]
    public void Volume_progress_counts_cut_and_ready_volumes_of_the_content()
    {
        using JsonDocument content = JsonDocument.Parse("""
            {"spec":{"volumeBackups":[{"volumeName":"a"},{"volumeName":"b"}]},
             "status":{"volumeSnapshotStatus":[{"volumeSnapshotName":"va","creationTime":"2026-11-26T10:00:01Z","readyToUse":true},
                                               {"volumeSnapshotName":"vb","creationTime":"2026-11-26T10:00:02Z","readyToUse":false}]}}
            """);
        VolumeProgress progress = VolumeProgress.From(content.RootElement);
        Assert.Equal(new VolumeProgress(2, 2, 1), progress);
        Assert.Equal("volumes cut 2/2, ready 1/2", progress.ToString());

        using JsonDocument snapshot = JsonDocument.Parse("""{"metadata":{"uid":"abc"}}""");
        Assert.Equal("vmsnapshot-content-abc", VolumeProgress.ContentName(snapshot.RootElement));
    }
}
