using VmSnapshot.Lab;
using Xunit;
using static VmSnapshot.Tests.Controllers.ControllerTestSupport;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Controllers;

/// <summary>The VM controller and virt-api's start/stop/restart/pause/unpause (reference §3.1, §3.3) through HTTP.</summary>
public sealed class VirtualMachineLifecycleTests : IDisposable
{
    private const string Sub = "/apis/subresources.kubevirt.io/v1/namespaces/vms";
    private readonly LabServer lab = StartControlledLab();
    private readonly HttpClient http;

    public VirtualMachineLifecycleTests() => http = Http(lab);

    public void Dispose()
    {
        http.Dispose();
        DisposeAndCheck(lab);
    }

    private Task<(int Code, System.Text.Json.Nodes.JsonNode? Body)> Put(string path, string? body = null) => SendAsync(http, HttpMethod.Put, Sub + path, body ?? "{}");

    [Fact]
    public async Task StartAndStopAHaltedVmGoThroughStartingRunningStoppingStopped()
    {
        await using var vms = new WatchRecorder(http, "virtualmachines", "vms", "centos-stopped");
        await using var vmis = new WatchRecorder(http, "virtualmachineinstances", "vms", "centos-stopped");
        Assert.Equal("Stopped", Str(await GetAsync(http, "virtualmachines", "vms", "centos-stopped"), "status", "printableStatus"));

        Assert.Equal(202, (await Put("/virtualmachines/centos-stopped/start")).Code);
        var running = await WaitForAsync(http, "virtualmachines", "vms", "centos-stopped", v => Str(v, "status", "printableStatus") == "Running");
        Assert.Equal("Always", Str(running, "spec", "runStrategy"));
        Assert.True(running!["status"]!["ready"]!.GetValue<bool>());
        Assert.Equal("Ready=True/", Condition(running, "Ready"));
        AssertStatus(await Put("/virtualmachines/centos-stopped/start"), 409, "Conflict",
            "Operation cannot be fulfilled on virtualmachine.kubevirt.io \"centos-stopped\": VM is already running");

        Assert.Equal(202, (await Put("/virtualmachines/centos-stopped/stop")).Code);
        await WaitForAsync(http, "virtualmachineinstances", "vms", "centos-stopped", v => v == null);
        var stopped = await WaitForAsync(http, "virtualmachines", "vms", "centos-stopped", v => Str(v, "status", "printableStatus") == "Stopped");
        Assert.Equal("Halted", Str(stopped, "spec", "runStrategy"));
        Assert.Equal("Ready=False/VMINotExists", Condition(stopped, "Ready"));
        AssertStatus(await Put("/virtualmachines/centos-stopped/stop"), 409, "Conflict",
            "Operation cannot be fulfilled on virtualmachine.kubevirt.io \"centos-stopped\": VM is not running");

        var printable = vms.Versions.Select(v => Str(v, "status", "printableStatus")).Where(s => s != null).Select(s => s!).Distinct().ToArray();
        Assert.Equal(["Stopped", "Starting", "Running", "Stopping"], printable);
        var phases = vmis.Versions.Select(v => Str(v, "status", "phase") ?? "").Distinct().ToArray();
        Assert.Equal(["Pending", "Scheduling", "Scheduled", "Running", "Succeeded"], phases);

        var events = (await GetAsync(http, "/api/v1/namespaces/vms/events?fieldSelector=involvedObject.name%3Dcentos-stopped")).Body!["items"]!.AsArray();
        Assert.Contains(events, e => Str(e, "reason") == "SuccessfulCreate" && Str(e, "message") == "Started the virtual machine by creating the new virtual machine instance centos-stopped");
        Assert.Contains(events, e => Str(e, "reason") == "SuccessfulDelete");
    }

    [Fact]
    public async Task LifecycleRefusalsUseVirtApiCodesAndMessages()
    {
        AssertStatus(await Put("/virtualmachines/centos-stopped/restart"), 409, "Conflict",
            "Operation cannot be fulfilled on virtualmachine.kubevirt.io \"centos-stopped\": RunStategy Halted does not support manual restart requests");
        AssertStatus(await Put("/virtualmachines/centos-stopped/restart", "{\"gracePeriodSeconds\":5}"), 400, "BadRequest",
            "For force restart, only gracePeriod=0 is supported for now");
        AssertStatus(await Put("/virtualmachines/nope/start"), 404, "NotFound", "virtualmachines.kubevirt.io \"nope\" not found");
        AssertStatus(await Put("/virtualmachineinstances/centos-stopped/pause"), 404, "NotFound", "virtualmachineinstance.kubevirt.io \"centos-stopped\" not found");
        AssertStatus(await Put("/virtualmachineinstances/app-paused/pause"), 409, "Conflict",
            "Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io \"app-paused\": VMI is already paused");
        AssertStatus(await Put("/virtualmachineinstances/rhel8-brainy-bear/unpause"), 409, "Conflict",
            "Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io \"rhel8-brainy-bear\": VMI is not paused");
        Assert.Equal(405, (await SendAsync(http, HttpMethod.Get, Sub + "/virtualmachines/centos-stopped/start")).Code);
        var viewer = Http(lab, "viewer-token");
        AssertStatus(await SendAsync(viewer, HttpMethod.Put, Sub + "/virtualmachines/centos-stopped/start", "{}"), 403, "Forbidden",
            "virtualmachines.subresources.kubevirt.io \"centos-stopped\" is forbidden: User \"snapshot-viewer\" cannot update resource \"virtualmachines/start\" in API group \"subresources.kubevirt.io\" in the namespace \"vms\"");
    }

    [Theory]
    [InlineData("{\"running\":true,\"runStrategy\":\"Always\"}", "Running and RunStrategy are mutually exclusive. Note that Running is deprecated, please use RunStrategy instead")]
    [InlineData("{}", "RunStrategy must be specified")]
    [InlineData("{\"runStrategy\":\"Sometimes\"}", "Invalid RunStrategy (Sometimes)")]
    public async Task TheVmWebhookChecksTheRunStrategy(string spec, string message)
    {
        var body = "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"rs\"},\"spec\":" + spec + "}";
        AssertStatus(await SendAsync(http, HttpMethod.Post, PathOf("virtualmachines", "vms"), body), 422, "Invalid",
            $"admission webhook \"virtualmachine-validator.kubevirt.io\" denied the request: {message}");
    }

    [Fact]
    public async Task PauseShowsPausedAndRestartReplacesTheVmi()
    {
        Assert.Equal(200, (await Put("/virtualmachineinstances/rhel8-brainy-bear/pause")).Code);
        var paused = await WaitForAsync(http, "virtualmachines", "vms", "rhel8-brainy-bear", v => Str(v, "status", "printableStatus") == "Paused");
        Assert.Equal("Paused=True/PausedByUser", Condition(paused, "Paused"));
        Assert.Equal(200, (await Put("/virtualmachineinstances/rhel8-brainy-bear/unpause")).Code);
        await WaitForAsync(http, "virtualmachines", "vms", "rhel8-brainy-bear", v => Str(v, "status", "printableStatus") == "Running");

        var before = Str(await GetAsync(http, "virtualmachineinstances", "vms", "rhel8-brainy-bear"), "metadata", "uid");
        Assert.Equal(202, (await Put("/virtualmachines/rhel8-brainy-bear/restart")).Code);
        var after = await WaitForAsync(http, "virtualmachineinstances", "vms", "rhel8-brainy-bear",
            v => v != null && Str(v, "metadata", "uid") != before && Str(v, "status", "phase") == "Running");
        Assert.NotEqual(before, Str(after, "metadata", "uid"));
        var vm = await WaitForAsync(http, "virtualmachines", "vms", "rhel8-brainy-bear", v => Str(v, "status", "printableStatus") == "Running" && v!["status"]!["stateChangeRequests"] == null);
        Assert.Equal("Always", Str(vm, "spec", "runStrategy"));
    }

    [Fact]
    public async Task EveryVmReportsVolumeSnapshotStatusesWithTheControllersReasons()
    {
        var nfs = await WaitForAsync(http, "virtualmachines", "vms", "db-nfs-data", v => v?["status"]?["volumeSnapshotStatuses"] is System.Text.Json.Nodes.JsonArray { Count: > 1 } a && a[1]!["reason"] != null);
        var statuses = nfs!["status"]!["volumeSnapshotStatuses"]!.AsArray();
        Assert.Equal("rootdisk", Str(statuses[0], "name"));
        Assert.True(statuses[0]!["enabled"]!.GetValue<bool>());
        Assert.False(statuses[1]!["enabled"]!.GetValue<bool>());
        Assert.Equal("No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass [nfs-csi] [data]", Str(statuses[1], "reason"));

        var rhel = await GetAsync(http, "virtualmachines", "vms", "rhel8-brainy-bear");
        var cloudInit = rhel!["status"]!["volumeSnapshotStatuses"]!.AsArray().Single(s => Str(s, "name") == "cloudinitdisk");
        Assert.Equal("Snapshot is not supported for this volumeSource type [cloudinitdisk]", Str(cloudInit, "reason"));

        // A second VolumeSnapshotClass for the same driver without the default annotation makes the choice ambiguous
        // once the StorageProfile no longer pins one (reference §5.3).
        lab.Store.Update("storageprofiles", null, "trident-svm", p => p["status"]!.AsObject().Remove("snapshotClass"));
        lab.Store.Update("volumesnapshotclasses", null, "csi-snapclass", c => c["metadata"]!.AsObject().Remove("annotations"));
        lab.Store.Seed(System.Text.Json.Nodes.JsonNode.Parse("""{"apiVersion":"snapshot.storage.k8s.io/v1","kind":"VolumeSnapshotClass","metadata":{"name":"csi-snapclass-2"},"driver":"csi.trident.netapp.io","deletionPolicy":"Delete"}""")!.AsObject());
        var ambiguous = await WaitForAsync(http, "virtualmachines", "vms", "rhel8-brainy-bear",
            v => Str(v!["status"]!["volumeSnapshotStatuses"]![0], "reason") == "2 matching VolumeSnapshotClasses for trident-svm");
        Assert.False(ambiguous!["status"]!["volumeSnapshotStatuses"]![0]!["enabled"]!.GetValue<bool>());
    }
}
