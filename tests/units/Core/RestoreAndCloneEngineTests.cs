using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using VmSnapshot.Core.Clones;
using VmSnapshot.Core.Refusals;
using VmSnapshot.Core.Restores;
using VmSnapshot.Core.Snapshots;
using Xunit;

namespace VmSnapshot.Tests.Core;

public class RestoreAndCloneEngineTests
{
    private const string VmSpec = """
        {"template":{"spec":{
          "domain":{"devices":{"interfaces":[{"name":"default","masquerade":{}},{"name":"prod","bridge":{},"macAddress":"02:00:00:00:00:01"}]},
                    "firmware":{"serial":"old-serial"}},
          "networks":[{"name":"default","pod":{}},{"name":"prod","multus":{"networkName":"vms/prod-net"}}]}}}
        """;

    private static JsonElement Spec() => JsonDocument.Parse(VmSpec).RootElement;

    private static JsonElement Restore(string status) =>
        JsonDocument.Parse($$"""{"metadata":{"name":"r","namespace":"vms","creationTimestamp":"2026-11-26T10:00:00Z"},"spec":{"target":{"name":"web"},"virtualMachineSnapshotName":"s"},"status":{{status}}}""").RootElement;

    [Fact]
    public void New_macs_are_locally_administered_unicast_and_dash_separated()
    {
        for (int i = 0; i < 50; i++)
        {
            string mac = MacAddresses.NewLocal();
            Assert.Matches(new Regex("^[0-9A-F]{2}(-[0-9A-F]{2}){5}$"), mac);
            byte first = Convert.ToByte(mac[..2], 16);
            Assert.Equal(0x02, first & 0x03); // locally administered (bit 1), unicast (bit 0 clear)
        }
    }

    [Fact]
    public void Mac_patches_pass_the_restore_webhooks_colon_rule()
    {
        IReadOnlyList<string> patches = MacAddresses.NewMacPatches(Spec());
        Assert.Equal(2, patches.Count);
        foreach (string patch in patches)
        {
            // The webhook trims the braces, splits on ',' then on ':' and wants exactly two parts (kubevirt-api.md §4.2).
            foreach (string fragment in patch.Trim('{', '}').Split(','))
            {
                Assert.Equal(2, fragment.Split(':').Length);
            }

            JsonNode parsed = JsonNode.Parse(patch)!;
            Assert.Equal("add", (string?)parsed["op"]);
            Assert.StartsWith("/spec/template/spec/domain/devices/interfaces/", (string?)parsed["path"]);
        }
    }

    [Theory]
    [InlineData("""{"complete":true,"conditions":[{"type":"Progressing","status":"False","reason":"Operation complete"},{"type":"Ready","status":"True","reason":"Operation complete"}]}""", RestoreStage.Complete)]
    [InlineData("""{"complete":false,"conditions":[{"type":"Progressing","status":"False","reason":"Restore target VMI must be powered off before restore operation"},{"type":"Ready","status":"False","reason":"x"},{"type":"Failure","status":"True","reason":"Restore target VMI must be powered off before restore operation"}]}""", RestoreStage.Failed)]
    [InlineData("""{"complete":false,"conditions":[{"type":"Progressing","status":"True","reason":"Waiting for target VM to be powered off. Please stop the restore target to proceed with restore, or the operation will fail after 5m0s"}]}""", RestoreStage.WaitingForTarget)]
    [InlineData("""{"complete":false,"conditions":[{"type":"Progressing","status":"True","reason":"Creating new PVCs"}]}""", RestoreStage.InProgress)]
    [InlineData("""{"complete":false,"conditions":[{"type":"Progressing","status":"False","reason":"restore source and restore target are different but restore target already exists"}]}""", RestoreStage.Retrying)]
    [InlineData("{}", RestoreStage.Pending)]
    public void Restore_stages_follow_the_controllers_conditions(string status, RestoreStage expected) =>
        Assert.Equal(expected, RestoreProgressRules.Evaluate(Restore(status)).Stage);

    [Fact]
    public void A_restore_maps_its_volumes_and_duration()
    {
        KubeVirtVMRestore restore = RestoreMapper.FromJson(Restore("""
            {"complete":true,"restoreTime":"2026-11-26T10:00:12Z","restores":[{"volumeName":"rootdisk","persistentVolumeClaim":"web-rootdisk","volumeSnapshotName":"vs-1"}]}
            """), "ctx");
        Assert.True(restore.Complete);
        Assert.Equal(TimeSpan.FromSeconds(12), restore.Duration);
        Assert.Equal("web-rootdisk", restore.RestoredVolumes.Single().ClaimName);
        Assert.Null(restore.Error);
    }

    [Fact]
    public void The_restore_manifest_targets_the_vm_with_the_policies_and_patches()
    {
        JsonObject json = RestoreManifest.ToJson(new RestoreRequest("r", "vms", "web-copy", "s", "StopTarget", "PrefixTargetName", new[] { "{\"op\":\"add\"}" }));
        Assert.Equal("VirtualMachineRestore", (string?)json["kind"]);
        Assert.Equal("web-copy", (string?)json["spec"]!["target"]!["name"]);
        Assert.Equal("StopTarget", (string?)json["spec"]!["targetReadinessPolicy"]);
        Assert.Equal("PrefixTargetName", (string?)json["spec"]!["volumeRestorePolicy"]);
        Assert.Single(json["spec"]!["patches"]!.AsArray());
    }

    [Theory]
    [InlineData(null, "PrefixTargetName")]
    [InlineData("RandomizeNames", "RandomizeNames")]
    [InlineData("PrefixTargetName", "PrefixTargetName")]
    public void A_restore_into_another_vm_gets_new_claims(string? requested, string expected)
    {
        Assert.Equal(expected, RestorePlanner.VolumeRestorePolicy("web", "web-copy", requested, out string? refusal));
        Assert.Null(refusal);
    }

    [Theory]
    [InlineData(null, false, false, null)]                                            // a deleted VM is recreated
    [InlineData("""{"status":{"printableStatus":"Stopped"}}""", true, false, RefusalKind.RestoreTargetExists)]
    [InlineData("""{"status":{"printableStatus":"Stopped","restoreInProgress":"r1"}}""", false, true, RefusalKind.RestoreInProgress)]
    [InlineData("""{"status":{"printableStatus":"Running"}}""", false, false, RefusalKind.VMRunning)]
    [InlineData("""{"status":{"printableStatus":"Running"}}""", false, true, null)]   // -StopVM
    [InlineData("""{"status":{"printableStatus":"Stopped"}}""", false, false, null)]
    public void The_restore_target_is_checked_before_anything_is_sent(string? vm, bool newVm, bool mayStop, RefusalKind? expected)
    {
        JsonElement? target = vm is null ? null : JsonDocument.Parse(vm).RootElement;
        Assert.Equal(expected, RestorePlanner.CheckTarget(target, "web", "vms", newVm, mayStop)?.Kind);
    }

    [Theory]
    [InlineData("web", "web-restore-20261204-031500", "web-clone-20261204-031500")]
    // A VM whose own name holds "-snapshot-" keeps it: the stamp is appended, not substituted.
    [InlineData("db-snapshot-test", "db-snapshot-test-restore-20261204-031500", "db-snapshot-test-clone-20261204-031500")]
    public void Restore_and_clone_names_are_the_target_and_a_time_stamp(string vm, string restore, string clone)
    {
        DateTime at = new(2026, 12, 4, 3, 15, 0);
        Assert.Equal(restore, SnapshotNaming.ForRestore(vm, at));
        Assert.Equal(clone, SnapshotNaming.ForClone(vm, at));
    }

    [Theory]
    [InlineData(SnapshotPhase.Succeeded, true, null)]
    [InlineData(SnapshotPhase.InProgress, false, RefusalKind.SnapshotNotReady)]
    [InlineData(SnapshotPhase.Failed, false, RefusalKind.SnapshotFailed)]
    public void Only_a_ready_snapshot_can_be_restored_or_cloned(SnapshotPhase phase, bool ready, RefusalKind? expected)
    {
        KubeVirtVMSnapshot snapshot = new() { Name = "s1", Phase = phase, ReadyToUse = ready };
        Refusal? refusal = RestorePlanner.CheckSnapshot(snapshot, "Nothing was changed.");
        Assert.Equal(expected, refusal?.Kind);
        if (refusal is not null)
        {
            Assert.Same(snapshot, refusal.Target);
            Assert.EndsWith("Nothing was changed.", refusal.Message);
        }
    }

    [Fact]
    public void A_disk_the_snapshot_would_not_capture_is_a_warning_or_with_RequireAllVolumes_a_refusal()
    {
        JsonElement vm = JsonDocument.Parse("""
            {"metadata":{"name":"web","namespace":"vms"},
             "spec":{"template":{"spec":{"domain":{"devices":{"disks":[{"name":"root"},{"name":"data"}]}},
               "volumes":[{"name":"root","dataVolume":{"name":"web-root"}},{"name":"data","persistentVolumeClaim":{"claimName":"web-data"}}]}}},
             "status":{"volumeSnapshotStatuses":[{"name":"root","enabled":true},
               {"name":"data","enabled":false,"reason":"No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass [local] [data]"}]}}
            """).RootElement;

        Planned<SnapshotPlan> warned = SnapshotPlanner.CheckVolumes(vm, "web", requireAllVolumes: false);
        Assert.Null(warned.Refusal);
        Assert.Equal("VM 'web': the snapshot will not contain the data of disk 'data': No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass [local] [data]",
            Assert.Single(warned.Plan!.Warnings));

        Planned<SnapshotPlan> refused = SnapshotPlanner.CheckVolumes(vm, "web", requireAllVolumes: true);
        Assert.Null(refused.Plan);
        Assert.Equal(RefusalKind.VolumesNotCaptured, refused.Refusal!.Kind);
        Assert.Contains("'data'", refused.Refusal.Message);
    }

    [Fact]
    public void InPlace_into_another_vm_is_refused_because_it_would_take_the_source_vms_claims()
    {
        Assert.Null(RestorePlanner.VolumeRestorePolicy("web", "web-copy", "InPlace", out string? refusal));
        Assert.Contains("would delete the claims of VM 'web'", refusal);
    }

    [Theory]
    [InlineData(null, "InPlace")]
    [InlineData("InPlace", "InPlace")]
    [InlineData("RandomizeNames", "RandomizeNames")]
    public void A_rollback_keeps_claim_names_unless_asked(string? requested, string expected)
    {
        Assert.Equal(expected, RestorePlanner.VolumeRestorePolicy("web", "web", requested, out string? refusal));
        Assert.Null(refusal);
    }

    [Fact]
    public void Network_patches_move_interfaces_to_another_multus_network_by_short_or_full_name()
    {
        string patch = Assert.Single(ClonePlanner.NetworkPatches(Spec(), new Dictionary<string, string> { ["prod-net"] = "dev-segment" }));
        JsonNode parsed = JsonNode.Parse(patch)!;
        Assert.Equal("/spec/template/spec/networks/1/multus/networkName", (string?)parsed["path"]);
        Assert.Equal("dev-segment", (string?)parsed["value"]);
        Assert.Single(ClonePlanner.NetworkPatches(Spec(), new Dictionary<string, string> { ["vms/prod-net"] = "dev-segment" }));

        ClonePlanner.UnknownNetworkException e = Assert.Throws<ClonePlanner.UnknownNetworkException>(() =>
            ClonePlanner.NetworkPatches(Spec(), new Dictionary<string, string> { ["nope"] = "x" }));
        Assert.Contains("vms/prod-net", e.Message);
        Assert.Equal("nope", e.Network);
    }

    [Fact]
    public void Clone_macs_and_serial_are_new_by_default_and_kept_on_request()
    {
        IReadOnlyDictionary<string, string> fresh = ClonePlanner.MacAddresses(Spec(), newAddresses: true);
        Assert.Equal(new[] { "default", "prod" }, fresh.Keys.OrderBy(k => k));
        Assert.DoesNotContain("02:00:00:00:00:01", fresh.Values);
        IReadOnlyDictionary<string, string> kept = ClonePlanner.MacAddresses(Spec(), newAddresses: false);
        Assert.Equal("02:00:00:00:00:01", Assert.Single(kept).Value); // the interface without a MAC has none to keep
        Assert.NotEqual("old-serial", ClonePlanner.SmbiosSerial(Spec(), newSerial: true));
        Assert.Equal("old-serial", ClonePlanner.SmbiosSerial(Spec(), newSerial: false));
    }

    [Fact]
    public void The_clone_manifest_names_source_group_by_kind()
    {
        CloneRequest fromSnapshot = new("c", "vms", CloneRequest.SnapshotKind, "s", "copy", new[] { "*" }, Array.Empty<string>(),
            new Dictionary<string, string> { ["default"] = "02-00-00-00-00-09" }, "serial", Array.Empty<string>());
        JsonObject json = CloneManifest.ToJson(fromSnapshot);
        Assert.Equal("clone.kubevirt.io/v1beta1", (string?)json["apiVersion"]);
        Assert.Equal("snapshot.kubevirt.io", (string?)json["spec"]!["source"]!["apiGroup"]);
        Assert.Equal("copy", (string?)json["spec"]!["target"]!["name"]);
        Assert.Equal("02-00-00-00-00-09", (string?)json["spec"]!["newMacAddresses"]!["default"]);
        Assert.Equal("kubevirt.io", (string?)CloneManifest.ToJson(fromSnapshot with { SourceKind = CloneRequest.VirtualMachineKind })["spec"]!["source"]!["apiGroup"]);
    }

    [Theory]
    [InlineData("""{"phase":"RestoreInProgress","conditions":[{"type":"Ready","status":"False","reason":"Still processing"}]}""", "RestoreInProgress", false)]
    [InlineData("""{"phase":"Succeeded","conditions":[{"type":"Ready","status":"True","reason":"Ready"}]}""", "Succeeded", true)]
    [InlineData("""{"conditions":[{"type":"Ready","status":"False","reason":"Source doesnt exist: VirtualMachine vms/x"}]}""", "Pending", false)]
    public void Clone_progress_reads_the_phase(string status, string phase, bool final)
    {
        CloneProgress progress = CloneProgress.Evaluate(JsonDocument.Parse($$"""{"status":{{status}}}""").RootElement);
        Assert.Equal(phase, progress.Phase);
        Assert.Equal(final, progress.IsFinal);
    }
}
