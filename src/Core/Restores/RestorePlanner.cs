using System.Text.Json;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Restores;

/// <summary>Why a restore target is refused before anything is sent.</summary>
public enum TargetRefusalKind
{
    /// <summary>-NewVMName names a VM that exists (the controller would hang on it).</summary>
    TargetExists,

    /// <summary>Another restore of the VM is in progress (status.restoreInProgress).</summary>
    RestoreInProgress,

    /// <summary>The VM runs and nothing was said about stopping it.</summary>
    Running,
}

/// <summary>A refused restore target: the kind and the words for the user.</summary>
public sealed record TargetRefusal(TargetRefusalKind Kind, string Message);

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

    /// <summary>
    /// Checks the restore target as read from the cluster (null when it does not exist): a new VM's name must be free;
    /// an existing VM must have no restore in progress and, unless the caller may stop it, must be stopped. Null when
    /// the restore may go ahead (restoring a deleted VM recreates it).
    /// </summary>
    public static TargetRefusal? CheckTarget(JsonElement? targetVm, string target, string @namespace, bool newVm, bool mayStop)
    {
        if (targetVm is not { } vm)
        {
            return null;
        }

        if (newVm)
        {
            return new TargetRefusal(TargetRefusalKind.TargetExists, $"A VM named '{target}' already exists in namespace '{@namespace}'.");
        }

        if (RestoreInProgress(vm) is { } other)
        {
            return new TargetRefusal(TargetRefusalKind.RestoreInProgress, $"vm restore {other} in progress on VM '{target}'.");
        }

        string printable = vm.Child("status").String("printableStatus") ?? "Stopped";
        return printable is not ("Stopped" or "") && !mayStop
            ? new TargetRefusal(TargetRefusalKind.Running, $"VM '{target}' is {printable}. A VM must be stopped to be restored.")
            : null;
    }

    /// <summary>The restore holding the VM's storage lock (status.restoreInProgress), or null.</summary>
    public static string? RestoreInProgress(JsonElement vm) => vm.Child("status").String("restoreInProgress");
}
