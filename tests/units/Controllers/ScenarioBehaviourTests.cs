using System.Diagnostics;
using System.Text.Json.Nodes;
using VmSnapshot.Lab;
using Xunit;
using static VmSnapshot.Tests.Controllers.ControllerTestSupport;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Controllers;

/// <summary>Scenario-level controller settings: the KubeVirt version pin (reference §1.2, §4.4) and the scale scenario.</summary>
public sealed class ScenarioBehaviourTests
{
    private const string Base = """
        apiVersion: lab.vmsnapshot.io/v1
        kind: LabSettings
        namespace: old
        kubevirtVersion: VERSION
        guestAgents:
          hooked: {freezeError: "fsfreeze hook has failed with status 1"}
        ---
        apiVersion: kubevirt.io/v1
        kind: KubeVirt
        metadata: {name: kubevirt, namespace: kubevirt}
        spec: {configuration: {developerConfiguration: {featureGates: [GATES]}}}
        ---
        apiVersion: storage.k8s.io/v1
        kind: StorageClass
        metadata: {name: san}
        provisioner: csi.example.com
        ---
        apiVersion: snapshot.storage.k8s.io/v1
        kind: VolumeSnapshotClass
        metadata: {name: san-snap}
        driver: csi.example.com
        deletionPolicy: Delete
        ---
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: hooked-root, namespace: old}
        spec: {accessModes: [ReadWriteOnce], storageClassName: san, resources: {requests: {storage: 5Gi}}}
        status: {phase: Bound, capacity: {storage: 5Gi}}
        ---
        apiVersion: kubevirt.io/v1
        kind: VirtualMachine
        metadata: {name: hooked, namespace: old}
        spec:
          runStrategy: Always
          template:
            spec:
              domain: {devices: {disks: [{name: root, disk: {bus: virtio}}]}}
              volumes: [{name: root, persistentVolumeClaim: {claimName: hooked-root}}]
        """;

    private static LabServer Lab(string version, string gates) => StartControlledLab(ScenarioFile(Base.Replace("VERSION", version).Replace("GATES", gates)));

    [Fact]
    public async Task KubeVirt17WrapsAFreezeErrorAndReportsQuiesceFailed()
    {
        using LabServer lab = Lab("v1.7.2", "Snapshot");
        using HttpClient http = Http(lab);
        await WaitForAsync(http, "virtualmachineinstances", "old", "hooked", v => Condition(v, "AgentConnected") != null);
        await CreateAsync(http, "virtualmachinesnapshots", "old", SnapshotJson("s", "hooked"));
        JsonObject? erroring = await WaitForAsync(http, "virtualmachinesnapshots", "old", "s", s => s?["status"]?["error"] != null);
        Assert.StartsWith("Failed freezing vm hooked: Internal error occurred:", Str(erroring, "status", "error", "message"));
        Assert.Equal(["GuestAgent", "Online", "QuiesceFailed"], Strings(erroring!["status"]!["indications"]));
    }

    [Fact]
    public async Task BeforeV19TheSnapshotGateMustBeListed()
    {
        using LabServer lab = Lab("v1.8.0", "HotplugVolumes");
        using HttpClient http = Http(lab);
        AssertStatus(await SendAsync(http, HttpMethod.Post, PathOf("virtualmachinesnapshots", "old"), SnapshotJson("s", "hooked")), 400, null,
            "admission webhook \"virtualmachinesnapshot-validator.snapshot.kubevirt.io\" denied the request: snapshot feature gate not enabled");
        using LabServer current = Lab("v1.9.0", "HotplugVolumes");
        using HttpClient currentHttp = Http(current);
        Assert.Equal(201, (await SendAsync(currentHttp, HttpMethod.Post, PathOf("virtualmachinesnapshots", "old"), SnapshotJson("s", "hooked"))).Code);
    }

    [Fact]
    public async Task TheScaleScenarioGeneratesRunningVmsThatCanBeSnapshotted()
    {
        Stopwatch sw = Stopwatch.StartNew();
        using LabServer lab = StartControlledLab("scale:20x10");
        TimeSpan started = sw.Elapsed;
        using HttpClient http = Http(lab);
        Assert.Equal("scale-001", lab.Namespace);
        Assert.Equal(200, lab.Store.Count("virtualmachines"));
        Assert.Equal(10, lab.Store.List("virtualmachines", "scale-020").Count);
        JsonObject? vm = await GetAsync(http, "virtualmachines", "scale-007", "vm-0003");
        Assert.Equal("Running", Str(vm, "status", "printableStatus"));
        Assert.True(vm!["status"]!["volumeSnapshotStatuses"]![0]!["enabled"]!.GetValue<bool>());
        await CreateAsync(http, "virtualmachinesnapshots", "scale-007", SnapshotJson("s", "vm-0003"));
        JsonObject? done = await WaitForAsync(http, "virtualmachinesnapshots", "scale-007", "s", s => s?["status"]?["readyToUse"]?.GetValue<bool>() == true);
        Assert.Equal(["GuestAgent", "Online"], Strings(done!["status"]!["indications"]));
        Assert.True(started < TimeSpan.FromSeconds(20), $"starting scale:20x10 took {started}");
    }
}
