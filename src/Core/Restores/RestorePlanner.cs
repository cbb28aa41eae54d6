namespace VmSnapshot.Core.Restores;

/// <summary>
/// Decisions about a restore that KubeVirt does not guard against. The restore webhook accepts any
/// volumeRestorePolicy for any target (pkg/virt-api/webhooks/validating-webhook/admitters/vmrestore-admitter.go),
/// and the restore controller, with InPlace, names every restored claim after the snapshot's original claim
/// (pkg/storage/snapshot/restore.go, getRestoreVolumeName / restorePVCName): restoring into another VM then deletes
/// the source VM's claims and recreates them from the snapshot, owned by the new VM, and both VMs point at one claim.
/// </summary>
public static class RestorePlanner
{
    /// <summary>Restore every claim under its original name (rolls the snapshot's own VM back).</summary>
    public const string InPlace = "InPlace";

    /// <summary>Name restored claims &lt;target&gt;-&lt;volume&gt;: new claims that read well.</summary>
    public const string PrefixTargetName = "PrefixTargetName";

    /// <summary>Name restored claims restore-&lt;uid&gt;-&lt;volume&gt;.</summary>
    public const string RandomizeNames = "RandomizeNames";

    /// <summary>
    /// The volumeRestorePolicy to send for a restore of a snapshot of <paramref name="sourceVm"/> onto
    /// <paramref name="target"/>: the requested one, else InPlace for a rollback of the source VM (the original claim
    /// names, so GitOps-managed claims survive) and PrefixTargetName for any other target. Returns null and a reason
    /// when the request would overwrite the source VM's claims.
    /// </summary>
    public static string? VolumeRestorePolicy(string sourceVm, string target, string? requested, out string? refusal)
    {
        bool rollback = string.Equals(sourceVm, target, StringComparison.Ordinal);
        refusal = null;
        if (rollback)
        {
            return requested ?? InPlace;
        }

        if (requested == InPlace)
        {
            refusal = $"-VolumeRestorePolicy InPlace restores every claim under its original name: restoring into '{target}' " +
                $"would delete the claims of VM '{sourceVm}' and recreate them from the snapshot for '{target}', so both VMs " +
                "would share (and the source would lose) its disks";
            return null;
        }

        return requested ?? PrefixTargetName;
    }
}
