using System.Text.Json.Nodes;
using VmSnapshot.Lab.Api;
using VmSnapshot.Lab.Controllers;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Lab.Admission;

/// <summary>
/// virtualmachinerestore-validator.snapshot.kubevirt.io (reference §4.2 "Admission", admitters/vmrestore.go), plus
/// the CRD default spec.targetReadinessPolicy=WaitGracePeriod the apiserver applies on create: feature gate, target
/// apiGroup/kind, one unfinished restore per target, the string patches (with the colon quirk), overrides, the
/// restore and ownership policies, and an immutable spec.
/// </summary>
internal sealed class VirtualMachineRestoreWebhook(LabStore store, KubeVirtBehaviour kubevirt) : IAdmissionWebhook
{
    public const string Name = "virtualmachinerestore-validator.snapshot.kubevirt.io";
    private static readonly string[] s_restorePolicies = ["RandomizeNames", "InPlace", "PrefixTargetName"];
    private static readonly string[] s_ownershipPolicies = ["Vm", "None"];

    public bool Handles(ResourceType type) => type.Kind == "VirtualMachineRestore";

    public void Admit(AdmissionRequest request)
    {
        JsonObject restore = request.Object;
        if (request.Operation == AdmissionOperation.Create && restore["spec"] is JsonObject spec && spec["targetReadinessPolicy"] == null)
            spec["targetReadinessPolicy"] = "WaitGracePeriod";
        // The gate is checked on create only (vmrestore.go Admit).
        if (request.Operation == AdmissionOperation.Create && !FeatureGates.SnapshotEnabled(store, kubevirt))
            throw AdmissionDenied.Error(Name, "Snapshot/Restore feature gate not enabled");
        if (request.Operation == AdmissionOperation.Update)
        {
            if (!JsonNode.DeepEquals(request.OldObject!["spec"], restore["spec"]))
                throw AdmissionDenied.Invalid(Name, ("spec", "spec in immutable after creation"));
            return;
        }
        // Causes in vmrestore.go's order: the target (with the patches, checked in validateTargetVM), the volume
        // overrides and policies (only for a kubevirt.io VirtualMachine target), then unfinished restores.
        List<WebhookCause> causes = new();
        JsonNode? target = restore["spec"]?["target"];
        string? apiGroup = Obj.Str(target, "apiGroup");
        if (apiGroup == null)
        {
            causes.Add(new WebhookCause("spec.target.apiGroup", "missing apiGroup", "FieldValueNotFound"));
        }
        else if (apiGroup != "kubevirt.io")
        {
            causes.Add(("spec.target.apiGroup", "invalid apiGroup"));
        }
        else if (Obj.Str(target, "kind") != "VirtualMachine")
        {
            causes.Add(("spec.target.kind", "invalid kind"));
        }
        else
        {
            foreach (string? patch in (restore["spec"]?["patches"] as JsonArray ?? []).Select(p => p?.ToString() ?? ""))
                causes.AddRange(PatchProblems(patch).Select(c => (WebhookCause)c));
            int i = 0;
            foreach (JsonObject o in Obj.Items(restore["spec"]?["volumeRestoreOverrides"]))
            {
                if (string.IsNullOrEmpty(Obj.Str(o, "volumeName")))
                    causes.Add(new WebhookCause($"spec.volumeRestoreOverrides[{i}].volumeName", "must provide a volume name", "FieldValueRequired"));
                if (string.IsNullOrEmpty(Obj.Str(o, "restoreName")) && o["labels"] == null && o["annotations"] == null)
                    causes.Add(new WebhookCause($"spec.volumeRestoreOverrides[{i}]", "must provide at least one overriden field", "FieldValueRequired"));
                i++;
            }
            if (Obj.Str(restore, "spec", "volumeRestorePolicy") is { } policy && !s_restorePolicies.Contains(policy))
                causes.Add(("spec.volumeRestorePolicy", $"volume restore policy \"{policy}\" doesn't exist"));
            if (Obj.Str(restore, "spec", "volumeOwnershipPolicy") is { } ownership && !s_ownershipPolicies.Contains(ownership))
                causes.Add(("spec.volumeOwnershipPolicy", $"volume ownership policy \"{ownership}\" doesn't exist"));
        }
        string? targetName = Obj.Str(target, "name");
        foreach (JsonObject? busy in store.List(Plurals.VirtualMachineRestores, Obj.Namespace(restore)).Where(r =>
            Obj.Str(r, "spec", "target", "name") == targetName && Obj.Bool(r["status"]?["complete"]) != true && !Obj.HasCondition(r, "Failure", "True")))
        {
            causes.Add(("spec.target", $"VirtualMachineRestore \"{Obj.Name(busy)}\" in progress"));
        }

        if (causes.Count > 0) throw AdmissionDenied.Invalid(Name, causes.ToArray());
    }

    /// <summary>
    /// The webhook's naive patch check: Trim("{}"), split on ",", then on ":" — so any value containing ":" or ","
    /// (a MAC address "02:00:...") is refused (reference §4.2, the colon quirk); a "path" must be under /spec/,
    /// /metadata/labels/ or /metadata/annotations/.
    /// </summary>
    public static IEnumerable<(string Field, string Message)> PatchProblems(string patch)
    {
        foreach (string pair in patch.Trim('{', '}').Split(','))
        {
            string[] kv = pair.Split(':');
            if (kv.Length != 2)
            {
                yield return ("spec.patches", $"patch format is not valid - one \":\" expected in a single key-value json patch: {pair}");
                continue;
            }
            string key = kv[0].Trim();
            string value = kv[1].Trim();
            if (key == "\"path\"" && !value.StartsWith("\"/spec/", StringComparison.Ordinal)
                && !value.StartsWith("\"/metadata/labels/", StringComparison.Ordinal) && !value.StartsWith("\"/metadata/annotations/", StringComparison.Ordinal))
            {
                yield return ("spec.patches", $"patching is valid only for elements under /spec/ only: {pair}");
            }
        }
    }
}
