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

    [Theory]
    [InlineData("""{"domain":{"cpu":{"sockets":2,"cores":4,"threads":2},"memory":{"guest":"8Gi"}}}""", null, 16, "8Gi", null)]
    [InlineData("""{"domain":{"cpu":{"cores":3}}}""", null, 3, null, null)]
    [InlineData("""{"domain":{"resources":{"requests":{"cpu":"1500m","memory":"2Gi"}}}}""", null, 2, "2Gi", null)]
    [InlineData("""{"domain":{"resources":{"limits":{"cpu":"4"},"requests":{"cpu":"1"}}}}""", null, 4, null, null)]
    [InlineData("""{"domain":{}}""", null, 1, null, null)]
    [InlineData("""{"domain":{}}""", """{"name":"u1.medium"}""", null, null, "VirtualMachineClusterInstancetype/u1.medium")]
    [InlineData("""{"domain":{}}""", """{"kind":"VirtualMachineInstancetype","name":"small"}""", null, null, "VirtualMachineInstancetype/small")]
    public void Cpu_memory_and_instancetype_come_from_the_spec(string templateSpec, string? instancetype, int? cpu, string? memory, string? shown)
    {
        string spec = "{\"template\":{\"spec\":" + templateSpec + "}" + (instancetype is null ? string.Empty : ",\"instancetype\":" + instancetype) + "}";
        KubeVirtVM vm = Map("{\"metadata\":{\"name\":\"v\",\"namespace\":\"vms\"},\"spec\":" + spec + "}");
        Assert.Equal(cpu, vm.CPU);
        Assert.Equal(memory, vm.Memory);
        Assert.Equal(shown, vm.InstanceType);
    }

    [Fact]
    public void Networks_are_objects_that_read_as_name_and_target()
    {
        KubeVirtVM vm = Map("""
            {"metadata":{"name":"v","namespace":"vms"},"spec":{"template":{"spec":{"networks":[
              {"name":"default","pod":{}},{"name":"prod","multus":{"networkName":"other-ns/prod-net"}}]}}}}
            """);
        Assert.Equal(new[] { "pod", "multus" }, vm.Networks.Select(n => n.Type));
        Assert.Null(vm.Networks[0].Network);
        Assert.Equal("other-ns/prod-net", vm.Networks[1].Network);
        Assert.Equal("default: pod network, prod: other-ns/prod-net", vm.Networks.ToString());
        Assert.Equal("root (db-root), cloudinit (cloudInitNoCloud, not captured)",
            new ValueList<KubeVirtVMVolume>(new[]
            {
                new KubeVirtVMVolume { Name = "root", Type = "persistentVolumeClaim", ClaimName = "db-root", SnapshotEnabled = true },
                new KubeVirtVMVolume { Name = "cloudinit", Type = "cloudInitNoCloud" },
            }).ToString());
    }
}
