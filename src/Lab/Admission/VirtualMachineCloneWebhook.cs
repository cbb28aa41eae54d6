using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using VmSnapshot.Lab.Api;
using VmSnapshot.Lab.Controllers;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Lab.Admission;

/// <summary>
/// virtualmachineclones-mutator.kubevirt.io (a missing target becomes clone-&lt;source&gt;-&lt;5 chars&gt;) and
/// vm-clone-validator.kubevirt.io (reference §2): feature gate, source and target kinds and names, MAC addresses,
/// patches that must be JSON, and filters.
/// </summary>
internal sealed partial class VirtualMachineCloneWebhook(LabStore store, KubeVirtBehaviour kubevirt) : IAdmissionWebhook
{
    public const string Validator = "vm-clone-validator.kubevirt.io";

    [GeneratedRegex("^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$")]
    private static partial Regex Mac();

    public bool Handles(ResourceType type) => type.Kind == "VirtualMachineClone";

    public void Admit(AdmissionRequest request)
    {
        JsonObject clone = request.Object;
        JsonObject spec = clone["spec"] as JsonObject ?? new JsonObject();
        if (request.Operation == AdmissionOperation.Create) Mutate(spec);
        // The gate is checked on create only (vmclone-admitter.go Admit).
        if (request.Operation == AdmissionOperation.Create && !FeatureGates.SnapshotEnabled(store, kubevirt))
            throw AdmissionDenied.Error(Validator, "snapshot feature gate is not enabled");
        List<WebhookCause> causes = new();
        if (spec["source"] is not JsonObject source)
        {
            causes.Add(("spec.source", "Source cannot be nil"));
        }
        else
        {
            if (string.IsNullOrEmpty(Obj.Str(source, "apiGroup"))) causes.Add(("spec.source.apiGroup", "Source's APIGroup cannot be empty"));
            if (string.IsNullOrEmpty(Obj.Str(source, "kind"))) causes.Add(("spec.source.kind", "Source's Kind cannot be empty"));
            else if (Obj.Str(source, "kind") is not ("VirtualMachine" or "VirtualMachineSnapshot")) causes.Add(("spec.source.kind", "Source kind is not supported"));
            if (string.IsNullOrEmpty(Obj.Str(source, "name"))) causes.Add(("spec.source.name", "Source's name cannot be empty"));
        }
        if (spec["target"] is JsonObject target)
        {
            if (Obj.Str(target, "kind") is { } kind && kind != "VirtualMachine") causes.Add(("spec.target.kind", "Target kind is not supported"));
            if (Obj.Str(spec, "source", "kind") == "VirtualMachine" && Obj.Str(target, "kind") is null or "VirtualMachine"
                && Obj.Str(target, "name") == Obj.Str(spec, "source", "name"))
            {
                causes.Add(("spec.target.name", "Target name cannot be equal to source name when both are VirtualMachines"));
            }
        }
        foreach ((string iface, JsonNode? mac) in spec["newMacAddresses"] as JsonObject ?? [])
            if (mac?.ToString() is { Length: > 0 } m && !Mac().IsMatch(m)) causes.Add(("spec.newMacAddresses", $"interface {iface} has malformed MAC address ({m})."));
        foreach (string? patch in (spec["patches"] as JsonArray ?? []).Select(p => p?.ToString() ?? ""))
        {
            try { JsonNode.Parse(patch); }
            catch (JsonException) { causes.Add(("spec.patches", $"patch is not valid JSON ({patch})")); }
        }
        JsonNode?[] filters = new[] { spec["labelFilters"], spec["annotationFilters"], spec["template"]?["labelFilters"], spec["template"]?["annotationFilters"] };
        if (filters.SelectMany(f => f as JsonArray ?? []).Any(f => f?.ToString() == "!")) causes.Add(("spec", "a negation character is not a valid filter"));
        if (causes.Count > 0) throw AdmissionDenied.Invalid(Validator, causes.ToArray());
    }

    private static void Mutate(JsonObject spec)
    {
        string sourceName = Obj.Str(spec, "source", "name") ?? "";
        string generated = $"clone-{sourceName}-{Suffix()}";
        if (spec["target"] is not JsonObject target)
            spec["target"] = new JsonObject { ["apiGroup"] = "kubevirt.io", ["kind"] = "VirtualMachine", ["name"] = generated };
        else if (string.IsNullOrEmpty(Obj.Str(target, "name"))) target["name"] = generated;
    }

    private static string Suffix()
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Concat(Enumerable.Range(0, 5).Select(_ => alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)]));
    }
}
