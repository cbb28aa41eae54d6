namespace VmSnapshot;

/// <summary>One volume of a VM, with the cluster's verdict on whether snapshots capture it.</summary>
public sealed class KubeVirtVMVolume
{
    /// <summary>The volume's name in the VM spec.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The volume source: persistentVolumeClaim, dataVolume, containerDisk, cloudInitNoCloud, ...</summary>
    public string Type { get; set; } = string.Empty;

    /// <summary>The PVC or DataVolume behind the volume, if any.</summary>
    public string? ClaimName { get; set; }

    /// <summary>A hot-pluggable volume persisted in the VM spec.</summary>
    public bool Hotpluggable { get; set; }

    /// <summary>True when the cluster says a snapshot will capture this volume's data (volumeSnapshotStatuses).</summary>
    public bool SnapshotEnabled { get; set; }

    /// <summary>Why not, in the cluster's words (e.g. "No VolumeSnapshotClass: ...").</summary>
    public string? SnapshotReason { get; set; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Name} ({ClaimName ?? Type}{(Hotpluggable ? ", hot-plugged" : string.Empty)}{(SnapshotEnabled ? string.Empty : ", not captured")})";
}
