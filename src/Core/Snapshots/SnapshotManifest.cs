using System.Globalization;
using System.Text.Json.Nodes;
using VmSnapshot.Core.Json;
using VmSnapshot.Core.Text;

namespace VmSnapshot.Core.Snapshots;

/// <summary>The VirtualMachineSnapshot object for a request: as JSON to send, or as YAML for review and GitOps.</summary>
public static class SnapshotManifest
{
    public static JsonObject ToJson(SnapshotRequest request)
    {
        JsonObject metadata = new() { ["name"] = request.Name, ["namespace"] = request.Namespace };
        if (request.Labels.Count > 0)
        {
            metadata["labels"] = new JsonObject(request.Labels.OrderBy(l => l.Key, StringComparer.Ordinal)
                .Select(l => KeyValuePair.Create(l.Key, (JsonNode?)JsonValue.Create(l.Value))));
        }

        JsonObject annotations = new();
        if (!string.IsNullOrEmpty(request.Description))
        {
            annotations[SnapshotAnnotations.Description] = request.Description;
        }

        if (!string.IsNullOrEmpty(request.CreatedBy))
        {
            annotations[SnapshotAnnotations.CreatedBy] = request.CreatedBy;
        }

        if (request.ExpiresAt is { } expires)
        {
            annotations[SnapshotAnnotations.ExpiresAt] = expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        }

        foreach ((string key, string value) in (request.Annotations ?? new Dictionary<string, string>()).OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            annotations[key] = value;
        }

        if (annotations.Count > 0)
        {
            metadata["annotations"] = annotations;
        }

        JsonObject spec = new()
        {
            ["source"] = new JsonObject
            {
                ["apiGroup"] = "kubevirt.io",
                ["kind"] = "VirtualMachine",
                ["name"] = request.VMName,
            },
        };
        if (request.DeletionPolicy is not null)
        {
            spec["deletionPolicy"] = request.DeletionPolicy;
        }

        if (request.FailureDeadline is { } deadline)
        {
            spec["failureDeadline"] = GoDuration.Format(deadline);
        }

        return new JsonObject
        {
            ["apiVersion"] = "snapshot.kubevirt.io/v1beta1",
            ["kind"] = "VirtualMachineSnapshot",
            ["metadata"] = metadata,
            ["spec"] = spec,
        };
    }

    /// <summary>The same object as YAML, for review and GitOps.</summary>
    public static string ToYaml(SnapshotRequest request) => YamlText.From(ToJson(request));
}
