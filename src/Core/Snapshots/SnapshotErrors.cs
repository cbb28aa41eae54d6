using System.Text.Json;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Snapshots;

/// <summary>
/// What went wrong with a snapshot, in the cluster's words. KubeVirt keeps two records (pkg/storage/snapshot/snapshot.go,
/// updateSnapshotStatus): status.error is copied from the VirtualMachineSnapshotContent (a freeze or VolumeSnapshot
/// error), and a failureDeadline expiry sets only the Failure condition, reason "snapshot deadline exceeded"
/// (vmSnapshotDeadlineExceededError), never status.error. Reading one of them alone misses the other.
/// </summary>
public static class SnapshotErrors
{
    /// <summary>
    /// status.error.message, else the Failure condition; when both are present and differ, the failure first with
    /// the last error after it (a deadline that ended a freeze that kept failing says both).
    /// </summary>
    public static string? Describe(JsonElement status)
    {
        string? error = NullIfEmpty(status.Child("error"u8).String("message"u8));
        string? failure = Failure(status);
        return (failure, error) switch
        {
            ({ } f, { } e) when e.Contains(f, StringComparison.Ordinal) => e,
            ({ } f, { } e) => $"{f}; last error: {e}",
            _ => failure ?? error,
        };
    }

    /// <summary>The Failure=True condition's reason and message (KubeVirt fills only the reason), or null.</summary>
    public static string? Failure(JsonElement status)
    {
        if (status.Condition("Failure") is not { } condition || condition.String("status"u8) != "True")
        {
            return null;
        }

        string? reason = NullIfEmpty(condition.String("reason"u8));
        string? message = NullIfEmpty(condition.String("message"u8));
        return reason is null ? message : message is null ? reason : $"{reason}: {message}";
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
