using System.Text.Json;
using VmSnapshot.Core.Snapshots;
using Xunit;

namespace VmSnapshot.Tests.Core;

public class SnapshotMapperTests
{
    private const string Succeeded = """
        {
          "apiVersion": "snapshot.kubevirt.io/v1beta1", "kind": "VirtualMachineSnapshot",
          "metadata": { "name": "web-snap", "namespace": "vms", "uid": "1234",
                        "creationTimestamp": "2026-11-20T10:00:00Z",
                        "annotations": { "description": "before patch Tuesday", "vmsnapshot.io/created-by": "alice" } },
          "spec": { "source": { "apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "web" },
                    "deletionPolicy": "Retain", "failureDeadline": "2m0s" },
          "status": { "phase": "Succeeded", "readyToUse": true, "creationTime": "2026-11-20T10:00:05Z",
                      "indications": ["Online", "GuestAgent"],
                      "virtualMachineSnapshotContentName": "vmsnapshot-content-1234",
                      "snapshotVolumes": { "includedVolumes": ["rootdisk"], "excludedVolumes": ["scratch"] } }
        }
        """;

    [Theory]
    [InlineData(null, null, true)]                            // an ordinary snapshot: its expiry stands
    [InlineData("change-safety", "Succeeded", true)]          // a safety snapshot of a change that succeeded
    [InlineData("change-safety", "InProgress", false)]        // the change still runs: it is the rollback point
    [InlineData("change-safety", "Failed", false)]            // kept after a failure until someone deletes it
    [InlineData("change-safety", "RolledBack", false)]
    [InlineData("change-safety", "RollbackFailed", false)]
    [InlineData("change-safety", "Stopped", false)]
    [InlineData("change-safety", null, false)]                // the outcome could not be written
    public void A_safety_snapshot_expires_only_after_its_change_succeeded(string? purpose, string? state, bool expires)
    {
        string labels = purpose is null ? "{}" : $$"""{ "vmsnapshot.io/purpose": "{{purpose}}" }""";
        string stateAnnotation = state is null ? string.Empty : $$""", "vmsnapshot.io/change-state": "{{state}}" """;
        string json = $$"""
            { "metadata": { "name": "s", "namespace": "vms", "labels": {{labels}},
                            "annotations": { "vmsnapshot.io/expires-at": "2026-11-20T10:00:00Z"{{stateAnnotation}} } },
              "spec": { "source": { "name": "web" } }, "status": { "phase": "Succeeded", "readyToUse": true } }
            """;
        using JsonDocument document = JsonDocument.Parse(json);
        KubeVirtVMSnapshot snapshot = SnapshotMapper.FromJson(document.RootElement, "lab");
        Assert.Equal(expires, snapshot.ExpiresAt is not null);
        Assert.Equal(expires, RetentionRules.IsExpired(snapshot, new DateTime(2026, 12, 1)));
    }

    [Fact]
    public void Maps_every_field_of_a_succeeded_snapshot()
    {
        using JsonDocument document = JsonDocument.Parse(Succeeded);
        KubeVirtVMSnapshot snapshot = SnapshotMapper.FromJson(document.RootElement, "lab");

        Assert.Equal("web-snap", snapshot.Name);
        Assert.Equal("vms", snapshot.Namespace);
        Assert.Equal("web", snapshot.VMName);
        Assert.Equal(SnapshotPhase.Succeeded, snapshot.Phase);
        Assert.True(snapshot.ReadyToUse);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 0, 5, TimeSpan.Zero).LocalDateTime, snapshot.CreationTime);
        Assert.Equal(DateTimeKind.Local, snapshot.CreationTime!.Value.Kind);
        Assert.Equal(SnapshotConsistency.ApplicationConsistent, snapshot.Consistency);
        Assert.Equal(new[] { "Online", "GuestAgent" }, snapshot.Indications);
        Assert.Equal(new[] { "rootdisk" }, snapshot.IncludedVolumes);
        Assert.Equal(new[] { "scratch" }, snapshot.ExcludedVolumes);
        // "scratch" was left out without PartialSnapshot: only the VM's spec can tell whether it held data.
        Assert.Equal(SnapshotCoverage.Unknown, snapshot.Coverage);
        Assert.Equal("before patch Tuesday", snapshot.Description);
        Assert.Equal("alice", snapshot.CreatedBy);
        Assert.Equal("Retain", snapshot.DeletionPolicy);
        Assert.Equal(TimeSpan.FromMinutes(2), snapshot.FailureDeadline);
        Assert.Equal("1234", snapshot.Uid);
        Assert.Equal("vmsnapshot-content-1234", snapshot.ContentName);
        Assert.Equal("lab", snapshot.Context);
        Assert.Null(snapshot.Error);
    }

    [Theory]
    [InlineData("2026-11-20T12:00:05+02:00")] // an explicit offset, read straight from the UTF-8
    [InlineData("2026-11-20T10:00:05.000000Z")] // fractional seconds, as metav1.MicroTime writes them
    [InlineData("2026-11-20T10:00:05")] // no offset: the slow path, which takes it as UTC
    [InlineData("Fri, 20 Nov 2026 10:00:05 GMT")] // not RFC 3339 at all: the slow path still reads it
    public void Reads_a_creation_time_in_any_form_as_the_same_local_time(string creationTime)
    {
        using JsonDocument document = JsonDocument.Parse($$"""
            { "metadata": { "name": "s", "namespace": "n" }, "status": { "creationTime": "{{creationTime}}" } }
            """);

        KubeVirtVMSnapshot snapshot = SnapshotMapper.FromJson(document.RootElement, null);

        Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 0, 5, TimeSpan.Zero).LocalDateTime, snapshot.CreationTime);
        Assert.Equal(DateTimeKind.Local, snapshot.CreationTime!.Value.Kind);
    }

    [Fact]
    public void An_unreadable_creation_time_falls_back_to_the_object_creation_timestamp()
    {
        using JsonDocument document = JsonDocument.Parse("""
            { "metadata": { "name": "s", "namespace": "n", "creationTimestamp": "2026-11-20T10:00:00Z" },
              "status": { "creationTime": "soon" } }
            """);

        KubeVirtVMSnapshot snapshot = SnapshotMapper.FromJson(document.RootElement, null);

        Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero).LocalDateTime, snapshot.CreationTime);
    }

    [Fact]
    public void Maps_a_new_snapshot_without_status()
    {
        using JsonDocument document = JsonDocument.Parse("""
            { "metadata": { "name": "s", "namespace": "n", "creationTimestamp": "2026-11-20T10:00:00Z" },
              "spec": { "source": { "kind": "VirtualMachine", "name": "vm" } } }
            """);
        KubeVirtVMSnapshot snapshot = SnapshotMapper.FromJson(document.RootElement, null);

        Assert.Equal(SnapshotPhase.Pending, snapshot.Phase);
        Assert.False(snapshot.ReadyToUse);
        Assert.Equal(SnapshotConsistency.Unknown, snapshot.Consistency);
        Assert.Equal("Delete", snapshot.DeletionPolicy);
        Assert.Null(snapshot.FailureDeadline);
        Assert.Empty(snapshot.Indications);
        // Without status.creationTime the object's own creation time stands in.
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero).LocalDateTime, snapshot.CreationTime);
    }

    [Fact]
    public void Keeps_the_error_of_a_failed_snapshot_and_tolerates_unknown_phases()
    {
        using JsonDocument failed = JsonDocument.Parse("""
            { "metadata": { "name": "s", "namespace": "n" }, "spec": { "source": { "name": "vm" } },
              "status": { "phase": "Failed", "error": { "message": "VolumeSnapshots (vs-a) missing" } } }
            """);
        Assert.Equal("VolumeSnapshots (vs-a) missing", SnapshotMapper.FromJson(failed.RootElement, null).Error);
        Assert.Equal(SnapshotPhase.Failed, SnapshotMapper.FromJson(failed.RootElement, null).Phase);
        Assert.Equal(SnapshotPhase.Unknown, SnapshotMapper.ParsePhase("Exploded"));
        Assert.Equal(SnapshotPhase.Pending, SnapshotMapper.ParsePhase(""));
    }

    /// <summary>
    /// A failureDeadline expiry on a real cluster (snapshot.go updateSnapshotStatus): phase Failed, the Failure
    /// condition, no status.error (copied only from the content) and no creationTime (the content was never cut).
    /// </summary>
    private const string DeadlineFailed = """
        { "metadata": { "name": "late", "namespace": "vms", "creationTimestamp": "2026-11-22T09:00:00Z" },
          "spec": { "source": { "apiGroup": "kubevirt.io", "kind": "VirtualMachine", "name": "web" } },
          "status": { "phase": "Failed", "readyToUse": false, "indications": ["GuestAgent", "Online"],
                      "conditions": [
                        { "type": "Progressing", "status": "False", "reason": "Operation failed" },
                        { "type": "Ready", "status": "False", "reason": "Not ready" },
                        { "type": "Failure", "status": "True", "reason": "snapshot deadline exceeded" } ] } }
        """;

    [Fact]
    public void Reads_a_deadline_failure_from_the_failure_condition()
    {
        using JsonDocument document = JsonDocument.Parse(DeadlineFailed);
        KubeVirtVMSnapshot snapshot = SnapshotMapper.FromJson(document.RootElement, null);

        Assert.Equal(SnapshotPhase.Failed, snapshot.Phase);
        Assert.Equal("snapshot deadline exceeded", snapshot.Error);
        Assert.Equal(SnapshotCoverage.Unknown, snapshot.Coverage);
    }

    [Theory]
    [InlineData("""{ "error": { "message": "command Freeze failed: boom" } }""", "command Freeze failed: boom")]
    [InlineData("""{ "conditions": [ { "type": "Failure", "status": "True", "reason": "snapshot deadline exceeded" } ] }""", "snapshot deadline exceeded")]
    [InlineData("""{ "conditions": [ { "type": "Failure", "status": "True", "reason": "r", "message": "m" } ] }""", "r: m")]
    [InlineData("""{ "conditions": [ { "type": "Failure", "status": "False", "reason": "snapshot deadline exceeded" } ] }""", null)]
    [InlineData("""{ "error": { "message": "x: snapshot deadline exceeded" }, "conditions": [ { "type": "Failure", "status": "True", "reason": "snapshot deadline exceeded" } ] }""", "x: snapshot deadline exceeded")]
    [InlineData("""{ "error": { "message": "command Freeze failed: boom" }, "conditions": [ { "type": "Failure", "status": "True", "reason": "snapshot deadline exceeded" } ] }""", "snapshot deadline exceeded; last error: command Freeze failed: boom")]
    [InlineData("""{ "error": { "message": "" } }""", null)]
    public void Error_is_status_error_else_the_failure_condition(string status, string? expected)
    {
        using JsonDocument document = JsonDocument.Parse($$"""{ "metadata": { "name": "s" }, "status": {{status}} }""");
        Assert.Equal(expected, SnapshotMapper.FromJson(document.RootElement, null).Error);
    }

    [Theory]
    // KubeVirt 1.9+: PartialSnapshot says a PVC/DataVolume was left out; cloud-init alone never makes it partial.
    [InlineData("Succeeded", new[] { "GuestAgent", "Online", "PartialSnapshot" }, """{ "includedVolumes": ["rootdisk"], "excludedVolumes": ["data"] }""", SnapshotCoverage.Partial)]
    [InlineData("Succeeded", new[] { "PartialSnapshot" }, """{ "excludedVolumes": ["rootdisk"] }""", SnapshotCoverage.ConfigOnly)]
    [InlineData("Succeeded", new[] { "GuestAgent", "Online" }, """{ "includedVolumes": ["rootdisk", "datadisk"] }""", SnapshotCoverage.AllDisks)]
    [InlineData("Succeeded", new string[0], "{}", SnapshotCoverage.AllDisks)]
    // Left out without the indication: cloud-init on 1.9, or a data disk before 1.9. The snapshot cannot tell.
    [InlineData("Succeeded", new[] { "GuestAgent", "Online" }, """{ "includedVolumes": ["rootdisk"], "excludedVolumes": ["cloudinitdisk"] }""", SnapshotCoverage.Unknown)]
    [InlineData("Succeeded", new[] { "GuestAgent", "Online" }, null, SnapshotCoverage.Unknown)]
    [InlineData("InProgress", new[] { "GuestAgent", "Online" }, null, SnapshotCoverage.Unknown)]
    [InlineData("Failed", new[] { "GuestAgent", "Online" }, null, SnapshotCoverage.Unknown)]
    public void Maps_coverage_from_the_volume_lists_and_indications(string phase, string[] indications, string? volumes,
        SnapshotCoverage expected)
    {
        string volumesJson = volumes is null ? string.Empty : $$""", "snapshotVolumes": {{volumes}}""";
        using JsonDocument document = JsonDocument.Parse(
            $$"""{ "metadata": { "name": "s" }, "status": { "phase": "{{phase}}", "indications": {{JsonSerializer.Serialize(indications)}}{{volumesJson}} } }""");
        Assert.Equal(expected, SnapshotMapper.FromJson(document.RootElement, null).Coverage);
    }
}
