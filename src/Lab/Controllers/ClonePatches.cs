using System.Text.Json.Nodes;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// The patches a clone passes to its restore (reference §2 item 5): every interface's macAddress replaced by the
/// requested one or "" (KubeMacPool then assigns one), the SMBIOS serial and firmware UUID when firmware is set,
/// removals of labels and annotations the filters drop (never restore.kubevirt.io/lastRestoreUID), then the user's.
/// </summary>
internal static class ClonePatches
{
    public static List<string> For(JsonObject clone, JsonObject sourceVm)
    {
        JsonObject spec = clone["spec"] as JsonObject ?? new JsonObject();
        List<string> patches = new();
        JsonObject? macs = spec["newMacAddresses"] as JsonObject;
        List<JsonObject> interfaces = Obj.Items(sourceVm["spec"]?["template"]?["spec"]?["domain"]?["devices"]?["interfaces"]).ToList();
        for (int i = 0; i < interfaces.Count; i++)
        {
            string mac = macs?[Obj.Str(interfaces[i], "name") ?? ""]?.ToString() ?? "";
            patches.Add(Replace($"/spec/template/spec/domain/devices/interfaces/{i}/macAddress", mac));
        }
        if (sourceVm["spec"]?["template"]?["spec"]?["domain"]?["firmware"] != null)
        {
            patches.Add(Replace("/spec/template/spec/domain/firmware/serial", Obj.Str(spec, "newSMBiosSerial") ?? ""));
            patches.Add(Replace("/spec/template/spec/domain/firmware/uuid", ""));
        }
        AddRemovals(patches, "/metadata/labels/", sourceVm["metadata"]?["labels"], Strings(spec["labelFilters"]));
        AddRemovals(patches, "/metadata/annotations/", sourceVm["metadata"]?["annotations"], Strings(spec["annotationFilters"]));
        AddRemovals(patches, "/spec/template/metadata/labels/", sourceVm["spec"]?["template"]?["metadata"]?["labels"], Strings(spec["template"]?["labelFilters"]));
        AddRemovals(patches, "/spec/template/metadata/annotations/", sourceVm["spec"]?["template"]?["metadata"]?["annotations"], Strings(spec["template"]?["annotationFilters"]));
        patches.AddRange(Strings(spec["patches"]));
        return patches;
    }

    private static void AddRemovals(List<string> patches, string prefix, JsonNode? map, List<string> filters)
    {
        foreach ((string k, JsonNode? _) in map as JsonObject ?? [])
        {
            if (k != RestoreNames.LastRestoreUidAnnotation && !CloneFilters.Keeps(filters, k))
                patches.Add(new JsonObject { ["op"] = "remove", ["path"] = prefix + k.Replace("~", "~0").Replace("/", "~1") }.ToJsonString());
        }
    }

    private static string Replace(string path, string value) => new JsonObject { ["op"] = "replace", ["path"] = path, ["value"] = value }.ToJsonString();

    private static List<string> Strings(JsonNode? n) => (n as JsonArray ?? []).Select(x => x?.ToString() ?? "").ToList();
}
