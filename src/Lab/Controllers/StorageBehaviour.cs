using System.Text.Json.Nodes;
using VmSnapshot.Lab.Json;
using VmSnapshot.Lab.Time;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// How the emulated CSI driver behind one StorageClass behaves: how long a VolumeSnapshot takes to be cut
/// (creationTime) and to become readyToUse, how long a PVC takes to bind, and injected failures. From the
/// LabSettings <c>storageClasses</c> section or the StorageClass annotation <c>lab.vmsnapshot.io/storage</c>.
/// </summary>
public sealed class StorageBehaviour
{
    public const string Annotation = "lab.vmsnapshot.io/storage";

    public TimeSpan SnapshotCutDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan SnapshotReadyDelay { get; init; } = TimeSpan.FromSeconds(3);
    public TimeSpan BindDelay { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>The CSI driver fails every snapshot with this message (VolumeSnapshot status.error).</summary>
    public string? SnapshotError { get; init; }
    /// <summary>Creating a VolumeSnapshot of this class's PVCs is refused with this message (as by a webhook).</summary>
    public string? RejectVolumeSnapshots { get; init; }

    public static readonly StorageBehaviour Default = new();

    /// <summary>Reads a mapping; keys it does not set keep the values of <paramref name="baseline"/> (the defaults when null).</summary>
    public static StorageBehaviour Parse(JsonNode? node, string where, StorageBehaviour? baseline = null)
    {
        StorageBehaviour b = baseline ?? Default;
        if (node is not JsonObject o) throw new FormatException($"{where}: the storage class behaviour must be a mapping.");
        string[] known = ["snapshotCutDelay", "snapshotReadyDelay", "bindDelay", "snapshotError", "rejectVolumeSnapshots"];
        foreach (string? key in o.Select(p => p.Key))
            if (!known.Contains(key)) throw new FormatException($"{where}: unknown storage setting '{key}' (known: {string.Join(", ", known)}).");
        TimeSpan Dur(string key, TimeSpan fallback)
        {
            string? text = o[key] is JsonValue jv ? jv.ToString() : null;
            if (text == null) return fallback;
            if (!GoDuration.TryParse(text, out TimeSpan d)) throw new FormatException($"{where}: '{key}' must be a Go duration such as 2s, not '{text}'.");
            return d;
        }
        return new StorageBehaviour
        {
            SnapshotCutDelay = Dur("snapshotCutDelay", b.SnapshotCutDelay),
            SnapshotReadyDelay = Dur("snapshotReadyDelay", b.SnapshotReadyDelay),
            BindDelay = Dur("bindDelay", b.BindDelay),
            SnapshotError = JsonUtil.Str(o["snapshotError"]) ?? b.SnapshotError,
            RejectVolumeSnapshots = JsonUtil.Str(o["rejectVolumeSnapshots"]) ?? b.RejectVolumeSnapshots,
        };
    }
}
