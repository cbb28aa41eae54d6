using System.Globalization;
using System.Text.Json;
using VmSnapshot.Core.Changes;
using VmSnapshot.Core.Json;
using VmSnapshot.Core.Text;

namespace VmSnapshot.Core.Snapshots;

/// <summary>Maps a VirtualMachineSnapshot's JSON to the module's <see cref="KubeVirtVMSnapshot"/>.</summary>
public static class SnapshotMapper
{
    /// <remarks>Property names are UTF-8 literals: a list maps thousands of objects through here.</remarks>
    public static KubeVirtVMSnapshot FromJson(JsonElement item, string? context, string? server = null)
    {
        JsonElement metadata = item.Child("metadata"u8);
        JsonElement spec = item.Child("spec"u8);
        JsonElement status = item.Child("status"u8);
        JsonElement annotations = metadata.Child("annotations"u8);
        JsonElement labels = metadata.Child("labels"u8);

        SnapshotPhase phase = ParsePhase(status.String("phase"u8));
        string[] indications = status.Child("indications"u8).Strings();
        JsonElement volumes = status.Child("snapshotVolumes"u8);
        string[] included = volumes.Child("includedVolumes"u8).Strings();
        string[] excluded = volumes.Child("excludedVolumes"u8).Strings();

        return new KubeVirtVMSnapshot
        {
            Name = metadata.String("name"u8) ?? string.Empty,
            Namespace = metadata.String("namespace"u8) ?? string.Empty,
            VMName = spec.Child("source"u8).String("name"u8) ?? string.Empty,
            Phase = phase,
            ReadyToUse = status.IsTrue("readyToUse"u8),
            CreationTime = status.LocalTime("creationTime"u8) ?? metadata.LocalTime("creationTimestamp"u8),
            Indications = indications,
            Consistency = ConsistencyRules.Derive(phase, indications),
            Coverage = CoverageRules.Derive(phase, indications, volumes.ValueKind == JsonValueKind.Object, included, excluded),
            Error = SnapshotErrors.Describe(status),
            IncludedVolumes = included,
            ExcludedVolumes = excluded,
            Description = annotations.String(SnapshotAnnotations.Description),
            CreatedBy = annotations.String(SnapshotAnnotations.CreatedBy),
            Labels = ReadLabels(labels),
            ExpiresAt = ExpiryOf(labels, annotations),
            DeletionPolicy = spec.String("deletionPolicy"u8) ?? "Delete",
            FailureDeadline = GoDuration.TryParse(spec.String("failureDeadline"u8), out TimeSpan deadline) ? deadline : null,
            Uid = metadata.String("uid"u8),
            ContentName = status.String("virtualMachineSnapshotContentName"u8),
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

    /// <summary>
    /// When the snapshot expires (Remove-VMSnapshot -Expired). A change's safety snapshot expires only once its change
    /// succeeded: while the change runs, and after it failed, was rolled back or was stopped, it is the VM's rollback
    /// point, which Invoke-VMChange keeps until you delete it whatever -KeepSnapshotFor set. A cleanup job must not
    /// take it, even when the change could not write its outcome on it.
    /// </summary>
    private static DateTime? ExpiryOf(JsonElement labels, JsonElement annotations) =>
        labels.String(ChangeLabels.Purpose) == ChangeLabels.SafetySnapshot &&
        annotations.String(ChangeLabels.State) != nameof(ChangeOutcome.Succeeded)
            ? null
            : ParseTime(annotations.String(SnapshotAnnotations.ExpiresAt));

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
