using System.Text.Json.Nodes;
using VmSnapshot.Lab.Json;
using static VmSnapshot.Lab.Controllers.RestoreNames;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// generateRestoredVMSpec (reference §4.2 item 8): the snapshot's VM spec with every restored volume pointing at
/// its restored claim (DataVolume volumes become PVC volumes; memory dumps are dropped). A new target is Halted
/// (running=false if the snapshot VM used running) and gets the restore's patches; an existing target keeps its
/// run strategy. Volumes the snapshot has no backup for keep pointing at the original claim.
/// </summary>
internal static class RestoredVmBuilder
{
    public static JsonObject Spec(JsonObject content, IReadOnlyDictionary<string, string> restoredClaims)
    {
        JsonObject spec = (JsonObject)(content["spec"]?["source"]?["virtualMachine"]?["spec"]?.DeepClone() ?? new JsonObject());
        JsonObject templateSpec = Obj.Child(Obj.Child(spec, "template"), "spec");
        JsonArray volumes = new();
        HashSet<string> restoredTemplates = new();
        foreach (JsonObject? volume in Obj.Items(templateSpec["volumes"]).Select(v => (JsonObject)v.DeepClone()))
        {
            if (VmVolumes.IsMemoryDump(volume)) continue;
            if (restoredClaims.TryGetValue(Obj.Str(volume, "name") ?? "", out string? claim))
            {
                if (Obj.Str(volume, "dataVolume", "name") is { } dv) restoredTemplates.Add(dv);
                JsonNode? hotpluggable = volume["persistentVolumeClaim"]?["hotpluggable"]?.DeepClone() ?? volume["dataVolume"]?["hotpluggable"]?.DeepClone();
                volume.Remove("dataVolume");
                JsonObject pvc = new() { ["claimName"] = claim };
                if (hotpluggable != null) pvc["hotpluggable"] = hotpluggable;
                volume["persistentVolumeClaim"] = pvc;
            }
            volumes.Add(volume);
        }
        templateSpec["volumes"] = volumes;
        // CDI is not emulated: templates whose volumes now point at restored claims are dropped (deviation, README).
        if (spec["dataVolumeTemplates"] is JsonArray templates)
        {
            foreach (JsonObject? t in Obj.Items(templates).Where(t => restoredTemplates.Contains(Obj.Str(t, "metadata", "name") ?? "")).ToList()) templates.Remove(t);
            if (templates.Count == 0) spec.Remove("dataVolumeTemplates");
        }
        return spec;
    }

    public static JsonObject NewTarget(JsonObject restore, JsonObject content, JsonObject spec)
    {
        JsonObject? snapshotVm = content["spec"]?["source"]?["virtualMachine"] as JsonObject;
        if (spec["running"] != null) spec["running"] = false;
        else spec["runStrategy"] = RunStrategy.Halted;
        JsonObject annotations = Obj.Clone(snapshotVm?["metadata"]?["annotations"]) as JsonObject ?? new JsonObject();
        annotations[LastRestoreUidAnnotation] = $"{Obj.Name(restore)}-{Obj.Uid(restore)}";
        JsonNode vm = new JsonObject
        {
            ["apiVersion"] = "kubevirt.io/v1",
            ["kind"] = "VirtualMachine",
            ["metadata"] = new JsonObject
            {
                ["name"] = Obj.Str(restore, "spec", "target", "name"),
                ["namespace"] = Obj.Namespace(restore),
                ["labels"] = Obj.Clone(snapshotVm?["metadata"]?["labels"]),
                ["annotations"] = annotations,
            },
            ["spec"] = spec,
        };
        List<string> patches = (restore["spec"]?["patches"] as JsonArray ?? []).Select(p => p?.ToString() ?? "").ToList();
        foreach (string? patch in patches)
        {
            JsonObject op = JsonNode.Parse(patch)!.AsObject();
            try { vm = JsonPatch.Apply(vm, new JsonArray(op)); }
            catch (PatchException) when (Obj.Str(op, "op") == "replace")
            {
                // A replace of a field the spec does not have (firmware serial) adds it, as the clone's patches expect.
                op["op"] = "add";
                vm = JsonPatch.Apply(vm, new JsonArray(op.DeepClone()));
            }
        }
        KubeMacPool.AssignMissing((JsonObject)vm); // interfaces a clone blanked get a pool address on create
        return (JsonObject)vm;
    }
}
