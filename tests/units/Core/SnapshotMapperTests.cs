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
        Assert.Equal("before patch Tuesday", snapshot.Description);
        Assert.Equal("alice", snapshot.CreatedBy);
        Assert.Equal("Retain", snapshot.DeletionPolicy);
        Assert.Equal(TimeSpan.FromMinutes(2), snapshot.FailureDeadline);
        Assert.Equal("1234", snapshot.Uid);
        Assert.Equal("vmsnapshot-content-1234", snapshot.ContentName);
        Assert.Equal("lab", snapshot.Context);
        Assert.Null(snapshot.Error);
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
              "status": { "phase": "Failed", "error": { "message": "snapshot deadline exceeded" } } }
            """);
        Assert.Equal("snapshot deadline exceeded", SnapshotMapper.FromJson(failed.RootElement, null).Error);
        Assert.Equal(SnapshotPhase.Failed, SnapshotMapper.FromJson(failed.RootElement, null).Phase);
        Assert.Equal(SnapshotPhase.Unknown, SnapshotMapper.ParsePhase("Exploded"));
        Assert.Equal(SnapshotPhase.Pending, SnapshotMapper.ParsePhase(""));
    }
}
