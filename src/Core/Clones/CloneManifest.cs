using System.Text.Json.Nodes;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Clones;

/// <summary>The VirtualMachineClone (clone.kubevirt.io/v1beta1) for a request, as JSON to send or YAML to review.</summary>
public static class CloneManifest
{
    public static JsonObject ToJson(CloneRequest request)
    {
        string sourceGroup = request.SourceKind == CloneRequest.SnapshotKind ? "snapshot.kubevirt.io" : "kubevirt.io";
        JsonObject spec = new()
        {
            ["source"] = new JsonObject { ["apiGroup"] = sourceGroup, ["kind"] = request.SourceKind, ["name"] = request.SourceName },
            ["target"] = new JsonObject { ["apiGroup"] = "kubevirt.io", ["kind"] = "VirtualMachine", ["name"] = request.TargetName },
        };
        if (request.LabelFilters.Count > 0)
        {
            spec["labelFilters"] = Strings(request.LabelFilters);
        }

        if (request.AnnotationFilters.Count > 0)
        {
            spec["annotationFilters"] = Strings(request.AnnotationFilters);
        }

        if (request.NewMacAddresses.Count > 0)
        {
            spec["newMacAddresses"] = new JsonObject(request.NewMacAddresses.OrderBy(m => m.Key, StringComparer.Ordinal)
                .Select(m => KeyValuePair.Create(m.Key, (JsonNode?)JsonValue.Create(m.Value))));
        }

        if (request.NewSMBiosSerial is not null)
        {
            spec["newSMBiosSerial"] = request.NewSMBiosSerial;
        }

        if (request.Patches.Count > 0)
        {
            spec["patches"] = Strings(request.Patches);
        }

        return new JsonObject
        {
            ["apiVersion"] = "clone.kubevirt.io/v1beta1",
            ["kind"] = "VirtualMachineClone",
            ["metadata"] = new JsonObject { ["name"] = request.Name, ["namespace"] = request.Namespace },
            ["spec"] = spec,
        };
    }

    public static string ToYaml(CloneRequest request) => YamlText.From(ToJson(request));

    private static JsonArray Strings(IEnumerable<string> values) =>
        new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
}
