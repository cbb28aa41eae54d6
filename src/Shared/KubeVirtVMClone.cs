namespace VmSnapshot;

/// <summary>A VirtualMachineClone: a new VM made from a VM or a snapshot, with the new VM once it exists.</summary>
public sealed class KubeVirtVMClone
{
    /// <summary>The clone object's name.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The namespace.</summary>
    public string Namespace { get; set; } = string.Empty;

    /// <summary>VirtualMachine or VirtualMachineSnapshot.</summary>
    public string SourceKind { get; set; } = string.Empty;

    /// <summary>The VM or snapshot cloned.</summary>
    public string SourceName { get; set; } = string.Empty;

    /// <summary>The new VM's name; lets the object pipe into the snapshot cmdlets.</summary>
    public string VMName { get; set; } = string.Empty;

    /// <summary>status.phase: SnapshotInProgress, RestoreInProgress, CreatingTargetVM, Succeeded, Failed.</summary>
    public string Phase { get; set; } = string.Empty;

    /// <summary>When the clone was created (local time).</summary>
    public DateTime? CreationTime { get; set; }

    /// <summary>From creation until the clone succeeded.</summary>
    public TimeSpan? Duration { get; set; }

    /// <summary>Why the clone failed or waits, in the cluster's words.</summary>
    public string? Error { get; set; }

    /// <summary>The new VM, as Get-KubeVirtVM shows it, once the clone succeeded.</summary>
    public KubeVirtVM? VM { get; set; }

    /// <summary>metadata.uid.</summary>
    public string? Uid { get; set; }

    /// <summary>The kubeconfig context (or server) the clone was read from.</summary>
    public string? Context { get; set; }

    /// <inheritdoc/>
    public override string ToString() => $"{Namespace}/{Name}";
}
