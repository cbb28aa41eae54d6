namespace VmSnapshot;

/// <summary>
/// A KubeVirt VirtualMachine as Get-KubeVirtVM shows it. It carries <see cref="VMName"/> as well as
/// <see cref="Name"/> so that piping it into the snapshot cmdlets binds -VMName by property name.
/// </summary>
public sealed class KubeVirtVM
{
    /// <summary>The VM's name.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The VM's name again, under the name the snapshot cmdlets' -VMName parameter binds from.</summary>
    public string VMName => Name;

    /// <summary>The VM's namespace.</summary>
    public string Namespace { get; set; } = string.Empty;

    /// <summary>status.printableStatus: Running, Stopped, Paused, Starting, Stopping, ...</summary>
    public string Status { get; set; } = string.Empty;

    /// <summary>spec.runStrategy (Always, Halted, Manual, RerunOnFailure, Once), or what spec.running implies.</summary>
    public string RunStrategy { get; set; } = string.Empty;

    /// <summary>True when the running instance reports the QEMU guest agent connected (AgentConnected).</summary>
    public bool GuestAgent { get; set; }

    /// <summary>The guest OS, from the guest agent or the VM's OS annotation/label.</summary>
    public string? OS { get; set; }

    /// <summary>The VM's volumes and whether a snapshot would capture each.</summary>
    public ValueList<KubeVirtVMVolume> Volumes { get; set; } = ValueList<KubeVirtVMVolume>.Empty;

    /// <summary>
    /// The VM's networks (Name, Type, Network), each reading "name: target": the Multus networkName ("prod-net" or
    /// "ns/prod-net") or "pod network". The keys of New-VMClone -NetworkMap are these Multus network names.
    /// </summary>
    public ValueList<KubeVirtVMNetwork> Networks { get; set; } = ValueList<KubeVirtVMNetwork>.Empty;

    /// <summary>
    /// vCPUs: sockets x cores x threads of spec.template.spec.domain.cpu, else the CPU request or limit rounded up,
    /// else 1 (KubeVirt's default). Null when an instancetype sets the CPUs (see <see cref="InstanceType"/>).
    /// </summary>
    public int? CPU { get; set; }

    /// <summary>
    /// Guest memory as written in the spec (domain.memory.guest, else resources.requests.memory), e.g. "4Gi". Null
    /// when an instancetype sets it or the spec does not say.
    /// </summary>
    public string? Memory { get; set; }

    /// <summary>spec.instancetype as "kind/name" (e.g. "VirtualMachineClusterInstancetype/u1.medium"), when one sets CPU and memory.</summary>
    public string? InstanceType { get; set; }

    /// <summary>The name of the VM's newest snapshot that is ready to use (a rollback point), if any.</summary>
    public string? LastSnapshot { get; set; }

    /// <summary>When the newest snapshot was taken (local time).</summary>
    public DateTime? LastSnapshotTime { get; set; }

    /// <summary>How old the newest snapshot is.</summary>
    public TimeSpan? LastSnapshotAge => LastSnapshotTime is { } taken ? DateTime.Now - taken : null;

    /// <summary>The snapshot holding the VM's snapshot lock right now (status.snapshotInProgress).</summary>
    public string? SnapshotInProgress { get; set; }

    /// <summary>The restore running on the VM right now (status.restoreInProgress).</summary>
    public string? RestoreInProgress { get; set; }

    /// <summary>metadata.uid.</summary>
    public string? Uid { get; set; }

    /// <summary>The kubeconfig context (or server) the VM was read from.</summary>
    public string? Context { get; set; }

    /// <inheritdoc/>
    public override string ToString() => $"{Namespace}/{Name}";
}
