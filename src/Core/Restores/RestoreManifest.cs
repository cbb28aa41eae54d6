using System.Text.Json.Nodes;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Restores;

/// <summary>The VirtualMachineRestore object for a request, as JSON to send or YAML to review.</summary>
public static class RestoreManifest
{
    public static JsonObject ToJson(RestoreRequest request)
    {
        JsonObject spec = new()
        {
            ["target"] = new JsonObject { ["apiGroup"] = "kubevirt.io", ["kind"] = "VirtualMachine", ["name"] = request.TargetName },
            ["virtualMachineSnapshotName"] = request.SnapshotName,
        };
        if (request.TargetReadinessPolicy is not null)
        {
            spec["targetReadinessPolicy"] = request.TargetReadinessPolicy;
        }

        if (request.VolumeRestorePolicy is not null)
        {
            spec["volumeRestorePolicy"] = request.VolumeRestorePolicy;
        }

        if (request.Patches.Count > 0)
        {
            spec["patches"] = new JsonArray(request.Patches.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray());
        }

        return new JsonObject
        {
            ["apiVersion"] = "snapshot.kubevirt.io/v1beta1",
            ["kind"] = "VirtualMachineRestore",
            ["metadata"] = new JsonObject { ["name"] = request.Name, ["namespace"] = request.Namespace },
            ["spec"] = spec,
        };
    }

    public static string ToYaml(RestoreRequest request) => YamlText.From(ToJson(request));
}
