using System.Text.Json.Nodes;
using VmSnapshot.Lab;
using Xunit;
using static VmSnapshot.Tests.Controllers.ControllerTestSupport;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Controllers;

/// <summary>The VM controller and virt-api's start/stop/restart/pause/unpause (reference §3.1, §3.3) through HTTP.</summary>
public sealed class VirtualMachineLifecycleTests : IDisposable
{
    private const string Sub = "/apis/subresources.kubevirt.io/v1/namespaces/vms";
    private readonly LabServer _lab = StartControlledLab();
    private readonly HttpClient _http;

    public VirtualMachineLifecycleTests() => _http = Http(_lab);

    public void Dispose()
    {
        _http.Dispose();
        DisposeAndCheck(_lab);
    }

    private Task<(int Code, System.Text.Json.Nodes.JsonNode? Body)> Put(string path, string? body = null) => SendAsync(_http, HttpMethod.Put, Sub + path, body ?? "{}");

    [Fact]
    public async Task StartAndStopAHaltedVmGoThroughStartingRunningStoppingStopped()
    {
        await using WatchRecorder vms = new(_http, "virtualmachines", "vms", "centos-stopped");
        await using WatchRecorder vmis = new(_http, "virtualmachineinstances", "vms", "centos-stopped");
        Assert.Equal("Stopped", Str(await GetAsync(_http, "virtualmachines", "vms", "centos-stopped"), "status", "printableStatus"));

        Assert.Equal(202, (await Put("/virtualmachines/centos-stopped/start")).Code);
        JsonObject? running = await WaitForAsync(_http, "virtualmachines", "vms", "centos-stopped", v => Str(v, "status", "printableStatus") == "Running");
        Assert.Equal("Always", Str(running, "spec", "runStrategy"));
        Assert.True(running!["status"]!["ready"]!.GetValue<bool>());
        Assert.Equal("Ready=True/", Condition(running, "Ready"));
        AssertStatus(await Put("/virtualmachines/centos-stopped/start"), 409, "Conflict",
            "Operation cannot be fulfilled on virtualmachine.kubevirt.io \"centos-stopped\": VM is already running");

        Assert.Equal(202, (await Put("/virtualmachines/centos-stopped/stop")).Code);
        await WaitForAsync(_http, "virtualmachineinstances", "vms", "centos-stopped", v => v == null);
        JsonObject? stopped = await WaitForAsync(_http, "virtualmachines", "vms", "centos-stopped", v => Str(v, "status", "printableStatus") == "Stopped");
        Assert.Equal("Halted", Str(stopped, "spec", "runStrategy"));
        Assert.Equal("Ready=False/VMINotExists", Condition(stopped, "Ready"));
        AssertStatus(await Put("/virtualmachines/centos-stopped/stop"), 409, "Conflict",
            "Operation cannot be fulfilled on virtualmachine.kubevirt.io \"centos-stopped\": VM is not running");

        string[] printable = vms.Versions.Select(v => Str(v, "status", "printableStatus")).Where(s => s != null).Select(s => s!).Distinct().ToArray();
        Assert.Equal(["Stopped", "Starting", "Running", "Stopping"], printable);
        string[] phases = vmis.Versions.Select(v => Str(v, "status", "phase") ?? "").Distinct().ToArray();
        Assert.Equal(["Pending", "Scheduling", "Scheduled", "Running", "Succeeded"], phases);

        JsonArray events = (await GetAsync(_http, "/api/v1/namespaces/vms/events?fieldSelector=involvedObject.name%3Dcentos-stopped")).Body!["items"]!.AsArray();
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
        Assert.Equal(405, (await SendAsync(_http, HttpMethod.Get, Sub + "/virtualmachines/centos-stopped/start")).Code);
        HttpClient viewer = Http(_lab, "viewer-token");
        AssertStatus(await SendAsync(viewer, HttpMethod.Put, Sub + "/virtualmachines/centos-stopped/start", "{}"), 403, "Forbidden",
            "virtualmachines.subresources.kubevirt.io \"centos-stopped\" is forbidden: User \"snapshot-viewer\" cannot update resource \"virtualmachines/start\" in API group \"subresources.kubevirt.io\" in the namespace \"vms\"");
    }

    [Theory]
    [InlineData("{\"running\":true,\"runStrategy\":\"Always\"}", "Running and RunStrategy are mutually exclusive. Note that Running is deprecated, please use RunStrategy instead")]
    [InlineData("{}", "RunStrategy must be specified")]
    [InlineData("{\"runStrategy\":\"Sometimes\"}", "Invalid RunStrategy (Sometimes)")]
    public async Task TheVmWebhookChecksTheRunStrategy(string spec, string message)
    {
        string body = "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"rs\"},\"spec\":" + spec + "}";
        AssertStatus(await SendAsync(_http, HttpMethod.Post, PathOf("virtualmachines", "vms"), body), 422, "Invalid",
            $"admission webhook \"virtualmachine-validator.kubevirt.io\" denied the request: {message}");
    }

    [Fact]
    public async Task PauseShowsPausedAndRestartReplacesTheVmi()
    {
        Assert.Equal(200, (await Put("/virtualmachineinstances/rhel8-brainy-bear/pause")).Code);
        JsonObject? paused = await WaitForAsync(_http, "virtualmachines", "vms", "rhel8-brainy-bear", v => Str(v, "status", "printableStatus") == "Paused");
        Assert.Equal("Paused=True/PausedByUser", Condition(paused, "Paused"));
        Assert.Equal(200, (await Put("/virtualmachineinstances/rhel8-brainy-bear/unpause")).Code);
        await WaitForAsync(_http, "virtualmachines", "vms", "rhel8-brainy-bear", v => Str(v, "status", "printableStatus") == "Running");

        string? before = Str(await GetAsync(_http, "virtualmachineinstances", "vms", "rhel8-brainy-bear"), "metadata", "uid");
        Assert.Equal(202, (await Put("/virtualmachines/rhel8-brainy-bear/restart")).Code);
        JsonObject? after = await WaitForAsync(_http, "virtualmachineinstances", "vms", "rhel8-brainy-bear",
            v => v != null && Str(v, "metadata", "uid") != before && Str(v, "status", "phase") == "Running");
        Assert.NotEqual(before, Str(after, "metadata", "uid"));
        JsonObject? vm = await WaitForAsync(_http, "virtualmachines", "vms", "rhel8-brainy-bear", v => Str(v, "status", "printableStatus") == "Running" && v!["status"]!["stateChangeRequests"] == null);
        Assert.Equal("Always", Str(vm, "spec", "runStrategy"));
    }

    [Fact]
    public async Task EveryVmReportsVolumeSnapshotStatusesWithTheControllersReasons()
    {
        JsonObject? nfs = await WaitForAsync(_http, "virtualmachines", "vms", "db-nfs-data", v => v?["status"]?["volumeSnapshotStatuses"] is System.Text.Json.Nodes.JsonArray { Count: > 1 } a && a[1]!["reason"] != null);
        JsonArray statuses = nfs!["status"]!["volumeSnapshotStatuses"]!.AsArray();
        Assert.Equal("rootdisk", Str(statuses[0], "name"));
        Assert.True(statuses[0]!["enabled"]!.GetValue<bool>());
        Assert.False(statuses[1]!["enabled"]!.GetValue<bool>());
        Assert.Equal("No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass [nfs-csi] [data]", Str(statuses[1], "reason"));

        JsonObject? rhel = await GetAsync(_http, "virtualmachines", "vms", "rhel8-brainy-bear");
        JsonNode? cloudInit = rhel!["status"]!["volumeSnapshotStatuses"]!.AsArray().Single(s => Str(s, "name") == "cloudinitdisk");
        Assert.Equal("Snapshot is not supported for this volumeSource type [cloudinitdisk]", Str(cloudInit, "reason"));

        // A second VolumeSnapshotClass for the same driver without the default annotation makes the choice ambiguous
        // once the StorageProfile no longer pins one (reference §5.3).
        _lab.Store.Update("storageprofiles", null, "trident-svm", p => p["status"]!.AsObject().Remove("snapshotClass"));
        _lab.Store.Update("volumesnapshotclasses", null, "csi-snapclass", c => c["metadata"]!.AsObject().Remove("annotations"));
        _lab.Store.Seed(System.Text.Json.Nodes.JsonNode.Parse("""{"apiVersion":"snapshot.storage.k8s.io/v1","kind":"VolumeSnapshotClass","metadata":{"name":"csi-snapclass-2"},"driver":"csi.trident.netapp.io","deletionPolicy":"Delete"}""")!.AsObject());
        JsonObject? ambiguous = await WaitForAsync(_http, "virtualmachines", "vms", "rhel8-brainy-bear",
            v => Str(v!["status"]!["volumeSnapshotStatuses"]![0], "reason") == "2 matching VolumeSnapshotClasses for trident-svm");
        Assert.False(ambiguous!["status"]!["volumeSnapshotStatuses"]![0]!["enabled"]!.GetValue<bool>());
    }
}
