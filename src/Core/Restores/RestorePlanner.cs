using System.Text.Json;
using VmSnapshot.Core.Json;
using VmSnapshot.Core.Refusals;
using VmSnapshot.Core.Snapshots;
using VmSnapshot.Core.Vms;

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

    /// <summary>A Windows machine account password changes every 30 days; an older snapshot may have lost its domain trust.</summary>
    private static readonly TimeSpan s_windowsTrustAge = TimeSpan.FromDays(30);

    /// <summary>
    /// Plans the restore of snapshot <paramref name="snapshotName"/>: reads the snapshot, its target VM and the VM spec
    /// it holds, and returns the request to send or the refusal that stops it. Nothing is written.
    /// </summary>
    public static async Task<Planned<RestorePlan>> PlanAsync(KubeVirtConnection connection, string @namespace,
        string snapshotName, RestoreOptions options, DateTime now, CancellationToken cancelToken)
    {
        KubeVirtVMSnapshot? snapshot = await SnapshotReader.GetAsync(connection, @namespace, snapshotName, cancelToken)
            .ConfigureAwait(false);
        if (snapshot is null)
        {
            return Refusal.SnapshotNotFound(snapshotName, @namespace, "Nothing was restored.");
        }

        if (CheckSnapshot(snapshot, "Nothing was changed.") is { } unusable)
        {
            return unusable;
        }

        string target = options.NewVMName ?? snapshot.VMName;
        JsonElement? targetVm = await VmReader.GetRawAsync(connection, @namespace, target, cancelToken).ConfigureAwait(false);
        bool mayStop = options.StopVM || options.TargetReadinessPolicy is not null;
        if (CheckTarget(targetVm, target, @namespace, options.NewVMName is not null, mayStop) is { } targetRefusal)
        {
            return targetRefusal;
        }

        string? volumePolicy = VolumeRestorePolicy(snapshot.VMName, target, options.VolumeRestorePolicy, out string? overwrite);
        if (overwrite is not null)
        {
            return new Refusal(RefusalKind.InPlaceRestoreToNewVM, $"{overwrite}. Nothing was restored.", snapshot);
        }

        JsonElement? snapshotSpec = await RestoreWriter.SnapshotVmSpecAsync(connection, @namespace, snapshot.ContentName, cancelToken)
            .ConfigureAwait(false);
        IReadOnlyList<string> patches = options.NewVMName is not null && !options.KeepMacAddress && snapshotSpec is { } spec
            ? MacAddresses.NewMacPatches(spec)
            : Array.Empty<string>();
        string? readiness = options.TargetReadinessPolicy ?? (options.StopVM ? "StopTarget" : null);
        RestoreRequest request = new(SnapshotNaming.ForRestore(target, now), @namespace, target, snapshot.Name, readiness,
            volumePolicy, patches);
        return new RestorePlan(request, snapshot, Warnings(snapshot, targetVm, snapshotSpec, now));
    }

    /// <summary>Disks whose data will not come back, and a Windows snapshot old enough to have lost its domain trust.</summary>
    private static List<string> Warnings(KubeVirtVMSnapshot snapshot, JsonElement? targetVm, JsonElement? snapshotSpec, DateTime now)
    {
        List<string> warnings = new();
        IReadOnlySet<string> generated = snapshotSpec is { } spec ? VolumeKinds.GeneratedVolumeNames(spec) : new HashSet<string>();
        string[] lost = snapshot.ExcludedVolumes.Where(v => !generated.Contains(v)).ToArray();
        if (lost.Length > 0)
        {
            warnings.Add($"Snapshot '{snapshot.Name}' does not hold the data of {string.Join(", ", lost.Select(v => $"'{v}'"))}: " +
                "those disks keep their current contents; their data will not come back.");
        }

        bool windows = targetVm is { } vm && VmMapper.IsWindows(VmMapper.FromJson(vm, null, null, null).OS);
        if (windows && snapshot.CreationTime is { } taken && now - taken > s_windowsTrustAge)
        {
            warnings.Add($"Snapshot '{snapshot.Name}' of a Windows VM is {(int)(now - taken).TotalDays} days old: the restored " +
                "machine may have lost its domain trust (machine account password older than the domain keeps). Be ready to rejoin it.");
        }

        return warnings;
    }

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
    public static Refusal? CheckTarget(JsonElement? targetVm, string target, string @namespace, bool newVm, bool mayStop)
    {
        if (targetVm is not { } vm)
        {
            return null;
        }

        if (newVm)
        {
            return new Refusal(RefusalKind.RestoreTargetExists,
                $"A VM named '{target}' already exists in namespace '{@namespace}'. Nothing was restored.", target);
        }

        if (RestoreInProgress(vm) is { } other)
        {
            return new Refusal(RefusalKind.RestoreInProgress,
                $"vm restore {other} in progress on VM '{target}'. Nothing was changed.", target);
        }

        string printable = vm.Child("status").String("printableStatus") ?? "Stopped";
        return printable is not ("Stopped" or "") && !mayStop
            ? new Refusal(RefusalKind.VMRunning,
                $"VM '{target}' is {printable}. A VM must be stopped to be restored. Nothing was changed.", target)
            : null;
    }

    /// <summary>
    /// Why a snapshot cannot be restored (failed, or not ready yet), or null when it can. KubeVirt's restore webhook
    /// refuses a snapshot that is not ready to use (vmrestore-admitter.go, Admit: "VirtualMachineSnapshot ... not
    /// ready"); a failed one never becomes ready, which is worth saying in other words.
    /// </summary>
    public static Refusal? CheckSnapshot(KubeVirtVMSnapshot snapshot, string consequence)
    {
        if (snapshot.Phase == SnapshotPhase.Failed)
        {
            return new Refusal(RefusalKind.SnapshotFailed,
                $"Snapshot '{snapshot.Name}' failed and cannot be used: {snapshot.Error ?? "no error recorded"}. {consequence}", snapshot);
        }

        return snapshot.ReadyToUse
            ? null
            : new Refusal(RefusalKind.SnapshotNotReady,
                $"Snapshot '{snapshot.Name}' is not ready to use (phase {snapshot.Phase}). {consequence}", snapshot);
    }

    /// <summary>The restore holding the VM's storage lock (status.restoreInProgress), or null.</summary>
    public static string? RestoreInProgress(JsonElement vm) => vm.Child("status").String("restoreInProgress");
}
