namespace VmSnapshot.Core.Restores;

/// <summary>Everything Restore-VMSnapshot sends for one restore.</summary>
/// <param name="Name">The VirtualMachineRestore's name.</param>
/// <param name="Namespace">Namespace of the snapshot, the restore and the target VM.</param>
/// <param name="TargetName">The VM to restore onto (the snapshot's VM, or a new name).</param>
/// <param name="SnapshotName">The VirtualMachineSnapshot to restore.</param>
/// <param name="TargetReadinessPolicy">StopTarget, WaitGracePeriod, FailImmediate or WaitEventually; null = cluster default.</param>
/// <param name="VolumeRestorePolicy">InPlace, RandomizeNames or PrefixTargetName; null = cluster default.</param>
/// <param name="Patches">JSON-patch operations, as strings, for a new target VM.</param>
public sealed record RestoreRequest(
    string Name,
    string Namespace,
    string TargetName,
    string SnapshotName,
    string? TargetReadinessPolicy,
    string? VolumeRestorePolicy,
    IReadOnlyList<string> Patches);
