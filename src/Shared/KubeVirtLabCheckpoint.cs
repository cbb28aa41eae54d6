namespace VmSnapshot;

/// <summary>
/// A mark in a lab's history, taken by Checkpoint-KubeVirtLab. Pass it to Get-KubeVirtLabChange -Since to see
/// every object created, updated or deleted after it.
/// </summary>
public sealed class KubeVirtLabCheckpoint
{
    internal KubeVirtLabCheckpoint(string labName, int labId, long resourceVersion, DateTimeOffset time, object state)
    {
        LabName = labName;
        LabId = labId;
        ResourceVersion = resourceVersion;
        LocalTime = time;
        State = state;
    }

    /// <summary>The lab the checkpoint belongs to.</summary>
    public string LabName { get; }

    /// <summary>The lab's Id in this process (Get-KubeVirtLab).</summary>
    public int LabId { get; }

    /// <summary>The cluster's resourceVersion at the checkpoint.</summary>
    public long ResourceVersion { get; }

    /// <summary>When the checkpoint was taken (local time).</summary>
    public DateTime Time => LocalTime.LocalDateTime;

    /// <summary>The lab's own record of the state (opaque to scripts).</summary>
    internal object State { get; }

    private DateTimeOffset LocalTime { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{LabName}@{ResourceVersion}";
}
