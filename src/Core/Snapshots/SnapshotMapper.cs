using System.Globalization;
using System.Text.Json;
using VmSnapshot.Core.Json;
using VmSnapshot.Core.Text;

namespace VmSnapshot.Core.Snapshots;

/// <summary>Maps a VirtualMachineSnapshot's JSON to the module's <see cref="KubeVirtVMSnapshot"/>.</summary>
public static class SnapshotMapper
{
    public static KubeVirtVMSnapshot FromJson(JsonElement item, string? context, string? server = null)
    {
        JsonElement metadata = item.Child("metadata");
        JsonElement spec = item.Child("spec");
        JsonElement status = item.Child("status");
        JsonElement annotations = metadata.Child("annotations");

        SnapshotPhase phase = ParsePhase(status.String("phase"));
        string[] indications = status.Child("indications").Strings();
        JsonElement volumes = status.Child("snapshotVolumes");
        string[] included = volumes.Child("includedVolumes").Strings();
        string[] excluded = volumes.Child("excludedVolumes").Strings();

        return new KubeVirtVMSnapshot
        {
            Name = metadata.String("name") ?? string.Empty,
            Namespace = metadata.String("namespace") ?? string.Empty,
            VMName = spec.Child("source").String("name") ?? string.Empty,
            Phase = phase,
            ReadyToUse = status.IsTrue("readyToUse"),
            CreationTime = status.LocalTime("creationTime") ?? metadata.LocalTime("creationTimestamp"),
            Indications = indications,
            Consistency = ConsistencyRules.Derive(phase, indications),
            Coverage = CoverageRules.Derive(phase, indications, volumes.ValueKind == JsonValueKind.Object, included, excluded),
            Error = SnapshotErrors.Describe(status),
            IncludedVolumes = included,
            ExcludedVolumes = excluded,
            Description = annotations.String(SnapshotAnnotations.Description),
            CreatedBy = annotations.String(SnapshotAnnotations.CreatedBy),
            Labels = ReadLabels(metadata.Child("labels")),
            ExpiresAt = ParseTime(annotations.String(SnapshotAnnotations.ExpiresAt)),
            DeletionPolicy = spec.String("deletionPolicy") ?? "Delete",
            FailureDeadline = GoDuration.TryParse(spec.String("failureDeadline"), out TimeSpan deadline) ? deadline : null,
            Uid = metadata.String("uid"),
            ContentName = status.String("virtualMachineSnapshotContentName"),
            Context = context,
            Server = server,
        };
    }

    private static LabelDictionary ReadLabels(JsonElement labels)
    {
        LabelDictionary result = new();
        if (labels.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty label in labels.EnumerateObject())
            {
                result[label.Name] = label.Value.ValueKind == JsonValueKind.String ? label.Value.GetString() ?? string.Empty : label.Value.ToString();
            }
        }

        return result;
    }

    /// <summary>An RFC 3339 time in local time; null when absent or unreadable (an expiry nobody can read never fires).</summary>
    private static DateTime? ParseTime(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset time)
            ? time.LocalDateTime
            : null;

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
}
