namespace VmSnapshot;

/// <summary>
/// A VirtualMachineSnapshot as the module shows it. Property names match the cmdlets' parameter names
/// (Name, Namespace, VMName) so objects bind by property name when piped, and so do users' Pester mocks built as
/// <c>[pscustomobject]@{ PSTypeName = 'VmSnapshot.KubeVirtVMSnapshot'; ... }</c>.
/// </summary>
public sealed class KubeVirtVMSnapshot
{
    /// <summary>The snapshot's name.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The namespace of the snapshot and its VM.</summary>
    public string Namespace { get; set; } = string.Empty;

    /// <summary>The VM the snapshot was taken of (spec.source.name).</summary>
    public string VMName { get; set; } = string.Empty;

    /// <summary>status.phase.</summary>
    public SnapshotPhase Phase { get; set; }

    /// <summary>status.readyToUse: the snapshot can be restored or cloned from.</summary>
    public bool ReadyToUse { get; set; }

    /// <summary>When the snapshot was cut (status.creationTime, else the object's creation), in local time.</summary>
    public DateTime? CreationTime { get; set; }

    /// <summary>How old the snapshot is, at the time it was read.</summary>
    public TimeSpan? Age => CreationTime is { } created ? DateTime.Now - created : null;

    /// <summary>Application-consistent, crash-consistent or offline, from the indications.</summary>
    public SnapshotConsistency Consistency { get; set; }

    /// <summary>Whether the snapshot holds the data of every disk (AllDisks), of some (Partial) or of none (ConfigOnly).</summary>
    public SnapshotCoverage Coverage { get; set; }

    /// <summary>status.indications as the cluster wrote them (values unknown to this version are kept).</summary>
    public ValueList<string> Indications { get; set; } = ValueList<string>.Empty;

    /// <summary>
    /// What went wrong: status.error.message (a freeze or storage error, while retrying or at the end), else the
    /// Failure condition (KubeVirt records a failureDeadline expiry only there: "snapshot deadline exceeded").
    /// </summary>
    public string? Error { get; set; }

    /// <summary>Volumes whose data the snapshot holds.</summary>
    public ValueList<string> IncludedVolumes { get; set; } = ValueList<string>.Empty;

    /// <summary>Volumes left out (no VolumeSnapshotClass, unsupported type): their data is not in the snapshot.</summary>
    public ValueList<string> ExcludedVolumes { get; set; } = ValueList<string>.Empty;

    /// <summary>
    /// Bytes of storage the snapshot's data takes, as the CSI driver reports it: the sum of its VolumeSnapshots'
    /// status.restoreSize. Null when unknown (not cut yet, or you may not list VolumeSnapshots).
    /// </summary>
    public long? Size { get; set; }

    /// <summary><see cref="Size"/> in GiB, rounded to two decimals (like PowerCLI's SizeGB).</summary>
    public double? SizeGB => Size is { } bytes ? Math.Round(bytes / 1073741824.0, 2) : null;

    /// <summary>The <c>description</c> annotation, as the OpenShift console stores it.</summary>
    public string? Description { get; set; }

    /// <summary>Who took the snapshot, from the creator annotation this module writes.</summary>
    public string? CreatedBy { get; set; }

    /// <summary>metadata.labels: select a runbook's own snapshots with Get-VMSnapshot/Remove-VMSnapshot -Label.</summary>
    public LabelDictionary Labels { get; set; } = new();

    /// <summary>When the snapshot expires (New-VMSnapshot -ExpiresAfter), in local time; null when it never does.</summary>
    public DateTime? ExpiresAt { get; set; }

    /// <summary>spec.deletionPolicy: Delete (the default) or Retain.</summary>
    public string DeletionPolicy { get; set; } = "Delete";

    /// <summary>spec.failureDeadline; null means the cluster default (5 minutes), zero means none.</summary>
    public TimeSpan? FailureDeadline { get; set; }

    /// <summary>metadata.uid.</summary>
    public string? Uid { get; set; }

    /// <summary>status.virtualMachineSnapshotContentName.</summary>
    public string? ContentName { get; set; }

    /// <summary>The kubeconfig context (or server) the snapshot was read from.</summary>
    public string? Context { get; set; }

    /// <summary>
    /// The API server the snapshot was read from. Commands that change snapshots refuse one piped in from another
    /// server than they are connected to, even when both kubeconfig contexts have the same name.
    /// </summary>
    public string? Server { get; set; }

    /// <inheritdoc/>
    public override string ToString() => $"{Namespace}/{Name}";
}
