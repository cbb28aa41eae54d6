namespace VmSnapshot.Core.Restores;

/// <summary>What the user asked of a restore.</summary>
/// <param name="NewVMName">Restore into a new VM of this name; null rolls the snapshot's own VM back.</param>
/// <param name="StopVM">The user allows the VM to be stopped (targetReadinessPolicy StopTarget).</param>
/// <param name="TargetReadinessPolicy">The raw targetReadinessPolicy, when given; it wins over <paramref name="StopVM"/>.</param>
/// <param name="VolumeRestorePolicy">The requested volumeRestorePolicy, or null for the planner's choice.</param>
/// <param name="KeepMacAddress">A new VM keeps the snapshot's MAC addresses.</param>
public sealed record RestoreOptions(
    string? NewVMName,
    bool StopVM,
    string? TargetReadinessPolicy,
    string? VolumeRestorePolicy,
    bool KeepMacAddress);

/// <summary>A restore ready to send, and what the user must hear before it is.</summary>
/// <param name="Request">The VirtualMachineRestore to create.</param>
/// <param name="Snapshot">The snapshot as read just now.</param>
/// <param name="Warnings">Data that will not come back, and other risks worth a warning.</param>
public sealed record RestorePlan(RestoreRequest Request, KubeVirtVMSnapshot Snapshot, IReadOnlyList<string> Warnings)
{
    /// <summary>True when the restore creates a VM rather than rolling the snapshot's VM back.</summary>
    public bool IsNewVM => Request.TargetName != Snapshot.VMName;
}
