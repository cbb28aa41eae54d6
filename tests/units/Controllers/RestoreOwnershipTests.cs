using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using VmSnapshot.Lab;
using Xunit;
using static VmSnapshot.Tests.Controllers.ControllerTestSupport;

namespace VmSnapshot.Tests.Controllers;

/// <summary>
/// Who owns a VirtualMachineRestore, through KubernetesClient: KubeVirt's updateVMRestore (restore.go) makes an
/// existing target VM the restore's controller owner on the pass after the status is initialised, before it checks
/// whether the target is ready, so a restore that waits, fails at once or runs out of grace period is owned too, and
/// the garbage collector takes it when the VM goes.
/// </summary>
public sealed class RestoreOwnershipTests : IDisposable
{
    private readonly LabServer _lab = StartControlledLab();
    private readonly Kubernetes _client;

    public RestoreOwnershipTests() => _client = Client(_lab);

    public void Dispose()
    {
        _client.Dispose();
        DisposeAndCheck(_lab);
    }

    private async Task<JsonObject?> Get(string group, string version, string plural, string name)
    {
        try
        {
            JsonElement e = (JsonElement)await _client.CustomObjects.GetNamespacedCustomObjectAsync(group, version, "vms", plural, name);
            return JsonNode.Parse(e.GetRawText())!.AsObject();
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private Task<JsonObject?> GetRestore(string name) => Get("snapshot.kubevirt.io", "v1beta1", "virtualmachinerestores", name);

    private async Task<JsonObject?> WaitForRestore(string name, Func<JsonObject?, bool> condition)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        JsonObject? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await GetRestore(name);
            if (condition(last)) return last;
            await Task.Delay(10);
        }
        Assert.Fail($"Timed out waiting for restore {name}; last seen: {last?.ToJsonString()}");
        return null;
    }

    private async Task ReadySnapshot(string name, string vm)
    {
        await _client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse(SnapshotJson(name, vm))!, "snapshot.kubevirt.io", "v1beta1", "vms", "virtualmachinesnapshots");
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            JsonObject? snap = await Get("snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots", name);
            if (snap?["status"]?["readyToUse"]?.GetValue<bool>() == true) return;
            await Task.Delay(10);
        }
        Assert.Fail($"snapshot {name} never became ready");
    }

    private Task CreateRestore(string name, string target, string snapshot, string? policy = null)
    {
        JsonObject spec = new()
        {
            ["target"] = new JsonObject { ["apiGroup"] = "kubevirt.io", ["kind"] = "VirtualMachine", ["name"] = target },
            ["virtualMachineSnapshotName"] = snapshot,
        };
        if (policy != null) spec["targetReadinessPolicy"] = policy;
        JsonObject body = new()
        {
            ["apiVersion"] = "snapshot.kubevirt.io/v1beta1", ["kind"] = "VirtualMachineRestore",
            ["metadata"] = new JsonObject { ["name"] = name }, ["spec"] = spec,
        };
        return _client.CustomObjects.CreateNamespacedCustomObjectAsync(body, "snapshot.kubevirt.io", "v1beta1", "vms", "virtualmachinerestores");
    }

    /// <summary>Exactly vmRestoreTarget.Own's reference (restore.go): the VM as controller, blocking its deletion.</summary>
    private async Task AssertOwnedBy(JsonObject? restore, string vm)
    {
        JsonObject? owner = await Get("kubevirt.io", "v1", "virtualmachines", vm);
        JsonObject expected = new()
        {
            ["apiVersion"] = "kubevirt.io/v1", ["kind"] = "VirtualMachine", ["name"] = vm, ["uid"] = Str(owner, "metadata", "uid"),
            ["controller"] = true, ["blockOwnerDeletion"] = true,
        };
        JsonArray refs = Assert.IsType<JsonArray>(restore?["metadata"]?["ownerReferences"]);
        Assert.True(JsonNode.DeepEquals(new JsonArray(expected), refs), refs.ToJsonString());
    }

    private async Task<JsonArray> Events(string reason)
    {
        Corev1EventList list = await _client.CoreV1.ListNamespacedEventAsync("vms", fieldSelector: $"reason={reason}");
        return JsonNode.Parse(KubernetesJson.Serialize(list))!["items"]!.AsArray();
    }

    [Fact]
    public async Task ARestoreWaitingForItsRunningTargetIsOwnedByItAndStaysOwnedWhenItsGracePeriodExpires()
    {
        await ReadySnapshot("src", "fedora-no-agent");
        await CreateRestore("patient", "fedora-no-agent", "src");

        JsonObject? waiting = await WaitForRestore("patient", r => Condition(r, "Progressing") ==
            "Progressing=False/Waiting for target VM to be powered off. Please stop the restore target to proceed with restore, or the operation will fail after 5m0s");
        await AssertOwnedBy(waiting, "fedora-no-agent");
        Assert.Equal(["snapshot.kubevirt.io/vmrestore-protection"], Strings(waiting!["metadata"]!["finalizers"]));

        // 5 minutes of lab time: the grace period expires (handleVMRestoreTargetNotReady), the owner stays.
        const string expired = "Restore target failed to be ready within 5m0s. Please power off the target VM before attempting restore";
        JsonObject? failed = await WaitForRestore("patient", r => Condition(r, "Failure") != null);
        Assert.Equal([$"Progressing=False/{expired}", $"Ready=False/{expired}", $"Failure=True/{expired}"], Conditions(failed));
        await AssertOwnedBy(failed, "fedora-no-agent");
        // doUpdateErrorWithFailure: reason restoreFailedEvent, "VirtualMachineRestore failed <error>", a Warning.
        JsonNode? failure = Assert.Single(await Events("Operation failed"));
        Assert.Equal("patient", Str(failure, "involvedObject", "name"));
        Assert.Equal("Warning", Str(failure, "type"));
        Assert.Equal($"VirtualMachineRestore failed {expired}", Str(failure, "message"));
    }

    [Fact]
    public async Task ARestoreThatFailsImmediatelyIsOwnedByItsTargetAndGoesWithTheVm()
    {
        await ReadySnapshot("src", "fedora-no-agent");
        await CreateRestore("hasty", "fedora-no-agent", "src", "FailImmediate");
        JsonObject? failed = await WaitForRestore("hasty", r => Condition(r, "Failure") != null);
        Assert.Equal("Failure=True/Restore target VMI must be powered off before restore operation", Condition(failed, "Failure"));
        await AssertOwnedBy(failed, "fedora-no-agent");
        Assert.Equal("VirtualMachineRestore failed Restore target VMI must be powered off before restore operation",
            Str(Assert.Single(await Events("Operation failed")), "message"));

        using HttpClient http = Lab.LabTestSupport.Http(_lab);
        await using WatchRecorder restores = new(http, "virtualmachinerestores", "vms", "hasty");
        await _client.CustomObjects.DeleteNamespacedCustomObjectAsync("kubevirt.io", "v1", "vms", "virtualmachines", "fedora-no-agent");
        await WaitForRestore("hasty", r => r == null); // the garbage collector deletes it; the controller lets its finalizer go
        // handleVMRestoreDeletion shows it is deleting before the finalizer goes.
        Assert.Contains(restores.VersionsUntil("DELETED"), r => r["metadata"]?["deletionTimestamp"] != null &&
            Condition(r, "Progressing") == "Progressing=False/VM restore is deleting" && Condition(r, "Ready") == "Ready=False/VM restore is deleting");
    }

    [Fact]
    public async Task ARestoreToAVmThatDoesNotExistHasNoOwnerButItsFinalizer()
    {
        await CreateRestore("orphan", "not-yet", "no-such-snapshot");
        JsonObject? erring = await WaitForRestore("orphan", r => Condition(r, "Ready") == "Ready=False/VMSnapshot vms/no-such-snapshot does not exist");
        Assert.Null(erring!["metadata"]!["ownerReferences"]); // vmRestoreTarget.Own: a missing target owns nothing
        Assert.Equal(["snapshot.kubevirt.io/vmrestore-protection"], Strings(erring["metadata"]!["finalizers"]));
    }
}
