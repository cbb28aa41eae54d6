using System.Text.Json.Nodes;
using VmSnapshot.Lab.Api;
using VmSnapshot.Lab.Controllers;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Lab.Admission;

/// <summary>
/// virtualmachine-validator.kubevirt.io, the parts the snapshot module meets: runStrategy/running rules
/// (reference §3.1) and the storage locks of vm-storage-status.go: while status.snapshotInProgress is set no
/// change of volumes/disks or of the running state (§4.1 item 12); while status.restoreInProgress is set no
/// change of the run strategy (§4.2 item 5).
/// </summary>
internal sealed class VirtualMachineWebhook : IAdmissionWebhook
{
    public const string Name = "virtualmachine-validator.kubevirt.io";

    public bool Handles(ResourceType type) => type.Kind == "VirtualMachine" && type.Group == "kubevirt.io";

    public void Admit(AdmissionRequest request)
    {
        JsonObject vm = request.Object;
        JsonObject? spec = vm["spec"] as JsonObject;
        if (spec == null) return; // the schema's business
        bool hasRunning = spec["running"] != null;
        string? strategy = Obj.Str(spec, "runStrategy");
        if (hasRunning && strategy != null)
            throw AdmissionDenied.Invalid(Name, ("spec.running", "Running and RunStrategy are mutually exclusive. Note that Running is deprecated, please use RunStrategy instead"));
        if (!hasRunning && strategy == null)
            throw AdmissionDenied.Invalid(Name, ("spec.running", "RunStrategy must be specified"));
        if (strategy != null && !RunStrategy.Valid.Contains(strategy))
            throw AdmissionDenied.Invalid(Name, ("spec.runStrategy", $"Invalid RunStrategy ({strategy})"));
        if (request.OldObject is not { } old) return;

        string? snapshot = Obj.Str(old, "status", "snapshotInProgress");
        if (snapshot != null)
        {
            if (!JsonNode.DeepEquals(old["spec"]?["template"]?["spec"]?["volumes"], spec["template"]?["spec"]?["volumes"])
                || !JsonNode.DeepEquals(old["spec"]?["template"]?["spec"]?["domain"]?["devices"]?["disks"], spec["template"]?["spec"]?["domain"]?["devices"]?["disks"]))
            {
                throw AdmissionDenied.Invalid(Name, StorageLock($"Cannot update vm disks or volumes until snapshot \"{snapshot}\" completes"));
            }

            if (RunStateChanged(old, vm))
                throw AdmissionDenied.Invalid(Name, StorageLock($"Cannot update vm running state until snapshot \"{snapshot}\" completes"));
        }
        string? restore = Obj.Str(old, "status", "restoreInProgress");
        if (restore != null && RunStateChanged(old, vm))
            throw AdmissionDenied.Invalid(Name, StorageLock($"Cannot update VM runStrategy until restore \"{restore}\" completes"));
    }

    /// <summary>The causes of vm-storage-status.go: type FieldValueNotSupported on field "spec".</summary>
    private static WebhookCause StorageLock(string message) => new("spec", message, "FieldValueNotSupported");

    private static bool RunStateChanged(JsonObject old, JsonObject vm)
        => !JsonNode.DeepEquals(old["spec"]?["running"], vm["spec"]?["running"]) || !JsonNode.DeepEquals(old["spec"]?["runStrategy"], vm["spec"]?["runStrategy"]);

    /// <summary>What the webhook says to virt-api's runStrategy patch (start/stop), or null when it would pass.</summary>
    public static ApiException? RunStateChangeDenial(JsonObject vm)
    {
        if (Obj.Str(vm, "status", "snapshotInProgress") is { } snapshot)
            return AdmissionDenied.Invalid(Name, StorageLock($"Cannot update vm running state until snapshot \"{snapshot}\" completes"));
        if (Obj.Str(vm, "status", "restoreInProgress") is { } restore)
            return AdmissionDenied.Invalid(Name, StorageLock($"Cannot update VM runStrategy until restore \"{restore}\" completes"));
        return null;
    }
}
