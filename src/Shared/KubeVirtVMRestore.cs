namespace VmSnapshot;

/// <summary>A VirtualMachineRestore: a snapshot being (or having been) restored onto a VM.</summary>
public sealed class KubeVirtVMRestore
{
    /// <summary>The restore object's name.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The namespace.</summary>
    public string Namespace { get; set; } = string.Empty;

    /// <summary>The VM restored onto (spec.target.name): the snapshot's VM, or a new VM.</summary>
    public string VMName { get; set; } = string.Empty;

    /// <summary>The snapshot restored from.</summary>
    public string SnapshotName { get; set; } = string.Empty;

    /// <summary>status.complete.</summary>
    public bool Complete { get; set; }

    /// <summary>When the restore completed (local time).</summary>
    public DateTime? RestoreTime { get; set; }

    /// <summary>The volumes restored and the claims that now hold them.</summary>
    public ValueList<KubeVirtRestoredVolume> RestoredVolumes { get; set; } = ValueList<KubeVirtRestoredVolume>.Empty;

    /// <summary>From creation to completion.</summary>
    public TimeSpan? Duration { get; set; }

    /// <summary>Why the restore failed or is stuck, in the cluster's words.</summary>
    public string? Error { get; set; }

    /// <summary>spec.targetReadinessPolicy.</summary>
    public string? TargetReadinessPolicy { get; set; }

    /// <summary>spec.volumeRestorePolicy.</summary>
    public string? VolumeRestorePolicy { get; set; }

    /// <summary>metadata.uid.</summary>
    public string? Uid { get; set; }

    /// <summary>The kubeconfig context (or server) the restore was read from.</summary>
    public string? Context { get; set; }

    /// <inheritdoc/>
    public override string ToString() => $"{Namespace}/{Name}";
}

/// <summary>One restored volume (status.restores[]).</summary>
public sealed class KubeVirtRestoredVolume
{
    /// <summary>The volume's name in the VM spec.</summary>
    public string VolumeName { get; set; } = string.Empty;

    /// <summary>The PVC the volume now uses.</summary>
    public string ClaimName { get; set; } = string.Empty;

    /// <summary>The VolumeSnapshot the claim was restored from.</summary>
    public string? VolumeSnapshotName { get; set; }

    /// <inheritdoc/>
    public override string ToString() => $"{VolumeName} -> {ClaimName}";
}
