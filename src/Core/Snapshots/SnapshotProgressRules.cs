using System.Globalization;
using System.Text.Json;
using VmSnapshot.Core.Json;
using VmSnapshot.Core.Text;

namespace VmSnapshot.Core.Snapshots;

/// <summary>
/// Decides how far a VirtualMachineSnapshot has come. KubeVirt sets phase Succeeded when every volume is cut, which
/// can be before readyToUse (kubevirt-api.md §4.1 item 7), and reports freeze failures as an error on an
/// InProgress snapshot that is retried until the deadline (item 4): completion needs all fields read together.
/// </summary>
public static class SnapshotProgressRules
{
    /// <summary>KubeVirt's default failureDeadline.</summary>
    public static readonly TimeSpan DefaultFailureDeadline = TimeSpan.FromMinutes(5);

    public static SnapshotProgress Evaluate(JsonElement snapshot)
    {
        JsonElement metadata = snapshot.Child("metadata");
        JsonElement status = snapshot.Child("status");
        DateTimeOffset? deadline = Deadline(metadata, snapshot.Child("spec"));
        string? error = status.Child("error").String("message");
        JsonElement? progressing = status.Condition("Progressing");
        string progressingReason = progressing?.String("reason") ?? string.Empty;
        string phase = status.String("phase") ?? string.Empty;

        if (metadata.Child("deletionTimestamp").ValueKind == JsonValueKind.String || phase == "Deleting")
        {
            return new(SnapshotStage.Deleting, "the snapshot is being deleted", deadline);
        }

        switch (phase)
        {
            case "Failed":
                // A deadline is recorded only as the Failure condition, a freeze error only in status.error: say both.
                return new(SnapshotStage.Failed, SnapshotErrors.Describe(status) ?? "the snapshot failed", deadline);
            case "Succeeded":
                return status.IsTrue("readyToUse")
                    ? new(SnapshotStage.Ready, "ready to use", deadline)
                    : new(SnapshotStage.Cut, error ?? "taken (phase Succeeded); waiting for the storage to make the copies ready", deadline);
            case "InProgress":
                if (progressingReason == "Source does not exist")
                {
                    return new(SnapshotStage.SourceMissing, progressingReason, deadline);
                }

                if (error is not null)
                {
                    return new(SnapshotStage.Retrying, error, deadline);
                }

                return progressingReason.StartsWith("Source not locked", StringComparison.Ordinal)
                    ? new(SnapshotStage.WaitingForLock, progressingReason, deadline)
                    : new(SnapshotStage.InProgress, progressingReason.Length > 0 ? progressingReason : "in progress", deadline);
            default:
                return new(SnapshotStage.Pending, "waiting for the snapshot controller", deadline);
        }
    }

    /// <summary>creationTimestamp + (failureDeadline ?? 5m); "0s" means no deadline (§4.1 item 10).</summary>
    public static DateTimeOffset? Deadline(JsonElement metadata, JsonElement spec)
    {
        if (!DateTimeOffset.TryParse(metadata.String("creationTimestamp"), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal, out DateTimeOffset created))
        {
            return null;
        }

        TimeSpan window = GoDuration.TryParse(spec.String("failureDeadline"), out TimeSpan parsed)
            ? parsed
            : DefaultFailureDeadline;
        return window == TimeSpan.Zero ? null : created + window;
    }
}
