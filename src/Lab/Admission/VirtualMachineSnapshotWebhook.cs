using System.Text.Json.Nodes;
using VmSnapshot.Lab.Api;
using VmSnapshot.Lab.Controllers;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Lab.Admission;

/// <summary>
/// virtualmachinesnapshot-validator.snapshot.kubevirt.io (reference §4.1 item 15, admitters/vmsnapshot.go):
/// the Snapshot feature gate, then on create the source apiGroup/kind, on update an unchanged spec.
/// </summary>
internal sealed class VirtualMachineSnapshotWebhook(LabStore store, KubeVirtBehaviour kubevirt) : IAdmissionWebhook
{
    public const string Name = "virtualmachinesnapshot-validator.snapshot.kubevirt.io";

    public bool Handles(ResourceType type) => type.Kind == "VirtualMachineSnapshot";

    public void Admit(AdmissionRequest request)
    {
        // The gate is checked on create only (vmsnapshot.go Admit): existing snapshots stay updatable.
        if (request.Operation == AdmissionOperation.Create && !FeatureGates.SnapshotEnabled(store, kubevirt))
            throw AdmissionDenied.Error(Name, "snapshot feature gate not enabled");
        JsonObject snap = request.Object;
        if (request.Operation == AdmissionOperation.Update)
        {
            if (!JsonNode.DeepEquals(request.OldObject!["spec"], snap["spec"]))
                throw AdmissionDenied.Invalid(Name, ("spec", "spec in immutable after creation"));
            return;
        }
        JsonNode? source = snap["spec"]?["source"];
        string? apiGroup = Obj.Str(source, "apiGroup");
        if (apiGroup == null) throw AdmissionDenied.Invalid(Name, new WebhookCause("spec.source.apiGroup", "missing apiGroup", "FieldValueNotFound"));
        if (apiGroup != "kubevirt.io") throw AdmissionDenied.Invalid(Name, ("spec.source.apiGroup", "invalid apiGroup"));
        if (Obj.Str(source, "kind") != "VirtualMachine") throw AdmissionDenied.Invalid(Name, ("spec.source.kind", "invalid kind"));
        string vmName = Obj.Str(source, "name") ?? "";
        if (kubevirt.RejectsSnapshotOfMissingVm && store.Get(Plurals.VirtualMachines, Obj.Namespace(snap), vmName) == null)
            throw AdmissionDenied.Invalid(Name, ("spec.source.name", $"VirtualMachine \"{vmName}\" does not exist"));
    }
}
