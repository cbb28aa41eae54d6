using System.Globalization;
using System.Text.Json;
using VmSnapshot.Core.Text;

namespace VmSnapshot.Core.Snapshots;

/// <summary>Maps a VirtualMachineSnapshot's JSON to the module's <see cref="KubeVirtVMSnapshot"/>.</summary>
public static class SnapshotMapper
{
    public static KubeVirtVMSnapshot FromJson(JsonElement item, string? context)
    {
        JsonElement metadata = Child(item, "metadata");
        JsonElement spec = Child(item, "spec");
        JsonElement status = Child(item, "status");
        JsonElement annotations = Child(metadata, "annotations");

        SnapshotPhase phase = ParsePhase(String(status, "phase"));
        string[] indications = Strings(Child(status, "indications"));
        JsonElement volumes = Child(status, "snapshotVolumes");

        return new KubeVirtVMSnapshot
        {
            Name = String(metadata, "name") ?? string.Empty,
            Namespace = String(metadata, "namespace") ?? string.Empty,
            VMName = String(Child(spec, "source"), "name") ?? string.Empty,
            Phase = phase,
            ReadyToUse = Child(status, "readyToUse").ValueKind == JsonValueKind.True,
            CreationTime = ParseTime(String(status, "creationTime")) ?? ParseTime(String(metadata, "creationTimestamp")),
            Indications = indications,
            Consistency = ConsistencyRules.Derive(phase, indications),
            Error = String(Child(status, "error"), "message"),
            IncludedVolumes = Strings(Child(volumes, "includedVolumes")),
            ExcludedVolumes = Strings(Child(volumes, "excludedVolumes")),
            Description = String(annotations, SnapshotAnnotations.Description),
            CreatedBy = String(annotations, SnapshotAnnotations.CreatedBy),
            DeletionPolicy = String(spec, "deletionPolicy") ?? "Delete",
            FailureDeadline = GoDuration.TryParse(String(spec, "failureDeadline"), out TimeSpan deadline) ? deadline : null,
            Uid = String(metadata, "uid"),
            ContentName = String(status, "virtualMachineSnapshotContentName"),
            Context = context,
        };
    }

    /// <summary>status.phase to the enum; empty is Pending, anything unknown is Unknown.</summary>
    public static SnapshotPhase ParsePhase(string? phase) => phase switch
    {
        null or "" => SnapshotPhase.Pending,
        "InProgress" => SnapshotPhase.InProgress,
        "Succeeded" => SnapshotPhase.Succeeded,
        "Failed" => SnapshotPhase.Failed,
        "Deleting" => SnapshotPhase.Deleting,
        _ => SnapshotPhase.Unknown,
    };

    private static DateTime? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset time)
            ? time.LocalDateTime
            : null;

    private static JsonElement Child(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out JsonElement child) ? child : default;

    private static string? String(JsonElement parent, string name)
    {
        JsonElement value = Child(parent, name);
        return value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    private static string[] Strings(JsonElement array) =>
        array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToArray()
            : Array.Empty<string>();
}
