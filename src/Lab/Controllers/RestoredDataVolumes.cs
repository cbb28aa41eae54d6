using System.Text.Json.Nodes;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// The DataVolume side of a restore (reference §4.2 items 7–9): a volume backed by one of the VM's
/// dataVolumeTemplates is restored as a DataVolume of the restored claim's name, created pre-populated
/// (cdi.kubevirt.io/storage.prePopulated, so CDI imports nothing and reports it Succeeded at once), and the claim
/// carries cdi.kubevirt.io/storage.populatedFor. DataVolumes of the target's old templates that the restored spec
/// no longer uses are deleted and listed in status.deletedDataVolumes.
/// </summary>
internal static class RestoredDataVolumes
{
    public const string PrePopulated = "cdi.kubevirt.io/storage.prePopulated";
    public const string PopulatedFor = "cdi.kubevirt.io/storage.populatedFor";

    /// <summary>The template (from the snapshot's VM) behind a volume, or null when the volume is not template-backed.</summary>
    public static JsonObject? TemplateOf(JsonObject content, string volumeName)
    {
        JsonNode? vmSpec = content["spec"]?["source"]?["virtualMachine"]?["spec"];
        JsonObject? volume = Obj.Items(vmSpec?["template"]?["spec"]?["volumes"]).FirstOrDefault(v => Obj.Str(v, "name") == volumeName);
        string? dvName = Obj.Str(volume, "dataVolume", "name");
        return dvName == null ? null : Obj.Items(vmSpec?["dataVolumeTemplates"]).FirstOrDefault(t => Obj.Str(t, "metadata", "name") == dvName);
    }

    public static JsonObject Build(JsonObject restore, JsonObject template, string name) => new()
    {
        ["apiVersion"] = "cdi.kubevirt.io/v1beta1",
        ["kind"] = "DataVolume",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = Obj.Namespace(restore),
            ["labels"] = Obj.Clone(template["metadata"]?["labels"]),
            ["annotations"] = new JsonObject { [PrePopulated] = "true", [RestoreNames.RestoreNameAnnotation] = Obj.Name(restore) },
        },
        ["spec"] = Obj.Clone(template["spec"]) ?? new JsonObject(),
        ["status"] = new JsonObject { ["phase"] = "Succeeded", ["progress"] = "100.0%", ["claimName"] = name },
    };

    /// <summary>Renames the restored templates in a restored VM spec and keeps their volumes as dataVolume volumes.</summary>
    public static void Retarget(JsonObject spec, JsonObject content, IReadOnlyDictionary<string, string> restoredClaims)
    {
        List<JsonObject> volumes = Obj.Items(spec["template"]?["spec"]?["volumes"]).ToList();
        foreach ((string? volumeName, string? claim) in restoredClaims)
        {
            JsonObject? template = TemplateOf(content, volumeName);
            if (template == null) continue;
            JsonObject? volume = volumes.FirstOrDefault(v => Obj.Str(v, "name") == volumeName);
            if (volume == null) continue;
            volume.Remove("persistentVolumeClaim");
            volume["dataVolume"] = new JsonObject { ["name"] = claim };
            JsonArray templates = Obj.Array(spec, "dataVolumeTemplates");
            JsonObject copy = (JsonObject)template.DeepClone();
            Obj.Child(copy, "metadata")["name"] = claim;
            templates.Add(copy);
        }
    }

    /// <summary>DataVolumes of the target's current templates that the restored spec no longer references.</summary>
    public static List<string> Obsolete(JsonObject? target, JsonObject restoredSpec)
    {
        HashSet<string?> kept = Obj.Items(restoredSpec["dataVolumeTemplates"]).Select(t => Obj.Str(t, "metadata", "name")).ToHashSet();
        return Obj.Items(target?["spec"]?["dataVolumeTemplates"]).Select(t => Obj.Str(t, "metadata", "name") ?? "")
            .Where(n => n.Length > 0 && !kept.Contains(n)).ToList();
    }
}
