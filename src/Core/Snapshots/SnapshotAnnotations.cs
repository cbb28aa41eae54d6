namespace VmSnapshot.Core.Snapshots;

/// <summary>Annotation keys on VirtualMachineSnapshots.</summary>
public static class SnapshotAnnotations
{
    /// <summary>The free-text description, under the same key the OpenShift console uses.</summary>
    public const string Description = "description";

    /// <summary>Who took the snapshot (kubeconfig user or token subject), written by New-VMSnapshot.</summary>
    public const string CreatedBy = "vmsnapshot.io/created-by";

    /// <summary>
    /// When the snapshot may be deleted (RFC 3339, UTC), written by New-VMSnapshot -ExpiresAfter and read by
    /// Remove-VMSnapshot -Expired. An annotation, not a label: it is read, never selected on.
    /// </summary>
    public const string ExpiresAt = "vmsnapshot.io/expires-at";
}
