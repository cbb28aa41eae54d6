using System.Globalization;
using System.Text.Json.Nodes;
using VmSnapshot.Core.Api;
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

        JsonObject annotations = new(Annotations(request).Select(a => KeyValuePair.Create(a.Key, (JsonNode?)JsonValue.Create(a.Value))));
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

    /// <summary>
    /// What the API server would refuse in the snapshot's labels and annotations (the ones <see cref="ToJson"/>
    /// writes, the module's own included), or null: checked before anything is created.
    /// </summary>
    public static MetadataProblem? MetadataProblem(SnapshotRequest request) =>
        ObjectMetadata.Problem(request.Labels, Annotations(request));

    /// <summary>The snapshot's annotations, in the order they are written.</summary>
    private static List<KeyValuePair<string, string>> Annotations(SnapshotRequest request)
    {
        List<KeyValuePair<string, string>> annotations = [];
        if (!string.IsNullOrEmpty(request.Description))
        {
            annotations.Add(KeyValuePair.Create(SnapshotAnnotations.Description, request.Description));
        }

        if (!string.IsNullOrEmpty(request.CreatedBy))
        {
            annotations.Add(KeyValuePair.Create(SnapshotAnnotations.CreatedBy, request.CreatedBy));
        }

        if (request.ExpiresAt is { } expires)
        {
            annotations.Add(KeyValuePair.Create(SnapshotAnnotations.ExpiresAt,
                expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)));
        }

        foreach (KeyValuePair<string, string> extra in (request.Annotations ?? new Dictionary<string, string>()).OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            annotations.RemoveAll(a => a.Key == extra.Key); // a caller's annotation replaces the module's own
            annotations.Add(extra);
        }

        return annotations;
    }

    /// <summary>The same object as YAML, for review and GitOps.</summary>
    public static string ToYaml(SnapshotRequest request) => YamlText.From(ToJson(request));
}
