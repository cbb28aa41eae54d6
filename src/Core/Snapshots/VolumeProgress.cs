using System.Text.Json;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Snapshots;

/// <summary>
/// How far the volumes of a snapshot are, from its VirtualMachineSnapshotContent: a volume is cut when its
/// VolumeSnapshot has a creationTime (the guest can be thawed) and ready when the storage finished the copy
/// (kubevirt-api.md §4.1 items 5–6). The snapshot itself only shows the end of both.
/// </summary>
public sealed record VolumeProgress(int Total, int Cut, int Ready)
{
    /// <summary>The content KubeVirt creates for a snapshot: vmsnapshot-content-&lt;snapshot uid&gt;.</summary>
    public static string ContentName(JsonElement snapshot) =>
        snapshot.Child("status").String("virtualMachineSnapshotContentName")
        ?? $"vmsnapshot-content-{snapshot.Child("metadata").String("uid")}";

    public static VolumeProgress From(JsonElement content)
    {
        JsonElement[] statuses = content.Child("status").Child("volumeSnapshotStatus").EnumerateArraySafe().ToArray();
        return new VolumeProgress(
            content.Child("spec").Child("volumeBackups").EnumerateArraySafe().Count(),
            statuses.Count(s => s.Child("creationTime").ValueKind == JsonValueKind.String),
            statuses.Count(s => s.IsTrue("readyToUse")));
    }

    /// <inheritdoc/>
    public override string ToString() => Total == 0
        ? "no volume to copy (configuration only)"
        : $"volumes cut {Cut}/{Total}, ready {Ready}/{Total}";
}
