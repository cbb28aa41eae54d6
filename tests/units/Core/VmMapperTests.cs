using System.Text.Json;
using VmSnapshot.Core.Vms;
using Xunit;

namespace VmSnapshot.Tests.Core;

public class VmMapperTests
{
    private static KubeVirtVM Map(string vm, string? vmi = null)
    {
        using JsonDocument v = JsonDocument.Parse(vm);
        using JsonDocument? i = vmi is null ? null : JsonDocument.Parse(vmi);
        return VmMapper.FromJson(v.RootElement, i?.RootElement, null, "ctx");
    }

    [Fact]
    public void Reads_status_run_strategy_volumes_and_their_snapshot_support()
    {
        KubeVirtVM vm = Map("""
            {"metadata":{"name":"db","namespace":"vms"},
             "spec":{"running":true,"template":{"spec":{"volumes":[
               {"name":"root","persistentVolumeClaim":{"claimName":"db-root"}},
               {"name":"data","dataVolume":{"name":"db-data","hotpluggable":true}},
               {"name":"cloudinit","cloudInitNoCloud":{"userData":"x"}}]}}},
             "status":{"printableStatus":"Running","snapshotInProgress":"s1","volumeSnapshotStatuses":[
               {"name":"root","enabled":true},
               {"name":"data","enabled":false,"reason":"No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass [nfs] [data]"},
               {"name":"cloudinit","enabled":false,"reason":"Snapshot is not supported for this volumeSource type [cloudinit]"}]}}
            """);
        Assert.Equal("Running", vm.Status);
        Assert.Equal("Always", vm.RunStrategy); // the deprecated spec.running: true
        Assert.Equal("db", vm.VMName);
        Assert.Equal("s1", vm.SnapshotInProgress);
        Assert.Equal(new[] { "persistentVolumeClaim", "dataVolume", "cloudInitNoCloud" }, vm.Volumes.Select(v => v.Type));
        Assert.Equal("db-data", vm.Volumes[1].ClaimName);
        Assert.True(vm.Volumes[1].Hotpluggable);
        Assert.True(vm.Volumes[0].SnapshotEnabled);
        Assert.StartsWith("No VolumeSnapshotClass", vm.Volumes[1].SnapshotReason);
        Assert.False(VolumeKinds.HoldsData(vm.Volumes[2].Type));
        Assert.True(VolumeKinds.HoldsData(vm.Volumes[1].Type));
    }

    [Fact]
    public void The_guest_agent_comes_from_the_running_instance()
    {
        const string vm = """{"metadata":{"name":"w","namespace":"vms"},"spec":{"runStrategy":"Always"},"status":{"printableStatus":"Running"}}""";
        Assert.True(Map(vm, """{"status":{"conditions":[{"type":"AgentConnected","status":"True"}],"guestOSInfo":{"id":"mswindows","prettyName":"Windows Server 2019 Standard"}}}""").GuestAgent);
        Assert.False(Map(vm, """{"status":{"conditions":[{"type":"Ready","status":"True"}]}}""").GuestAgent);
        Assert.False(Map(vm).GuestAgent);
        Assert.Equal("Windows Server 2019 Standard", Map(vm, """{"status":{"guestOSInfo":{"prettyName":"Windows Server 2019 Standard"}}}""").OS);
    }

    [Theory]
    [InlineData("""{"annotations":{"name.os.template.kubevirt.io/win2k19":"Microsoft Windows Server 2019"}}""", "Microsoft Windows Server 2019", true)]
    [InlineData("""{"labels":{"os.template.kubevirt.io/win2k19":"true"}}""", "win2k19", true)]
    [InlineData("""{"labels":{"os.template.kubevirt.io/rhel8.4":"true"}}""", "rhel8.4", false)]
    [InlineData("""{"annotations":{"vm.kubevirt.io/os":"rhel9"}}""", "rhel9", false)]
    public void The_os_comes_from_openshift_template_metadata_without_an_agent(string metadata, string os, bool windows)
    {
        KubeVirtVM vm = Map("{\"metadata\":" + metadata + ",\"spec\":{}}");
        Assert.Equal(os, vm.OS);
        Assert.Equal(windows, VmMapper.IsWindows(vm.OS));
    }
}
