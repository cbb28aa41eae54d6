namespace VmSnapshot.Core.Snapshots;

/// <summary>Everything New-VMSnapshot sends for one VM.</summary>
public sealed record SnapshotRequest(
    string Name,
    string Namespace,
    string VMName,
    string? Description,
    TimeSpan? FailureDeadline,
    string? DeletionPolicy,
    IReadOnlyDictionary<string, string> Labels,
    string? CreatedBy,
    DateTimeOffset? ExpiresAt = null,
    IReadOnlyDictionary<string, string>? Annotations = null);
