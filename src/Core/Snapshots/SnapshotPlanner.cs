using System.Text.Json;
using VmSnapshot.Core.Refusals;
using VmSnapshot.Core.Vms;

namespace VmSnapshot.Core.Snapshots;

/// <summary>What may go ahead for one new snapshot, and what the user must hear first.</summary>
/// <param name="Warnings">Disks whose data the snapshot will not hold.</param>
public sealed record SnapshotPlan(IReadOnlyList<string> Warnings);

/// <summary>
/// The checks before a VirtualMachineSnapshot is created. KubeVirt accepts a snapshot of a VM with disks it cannot
/// capture (a storage class without a VolumeSnapshotClass) and only lists them in status.indications and
/// volumeSnapshotStatuses (pkg/storage/snapshot/snapshot.go, getVolumeSnapshotStatuses), so the module says so first.
/// </summary>
public static class SnapshotPlanner
{
    /// <summary>
    /// Reads the VM and checks its disks: refused when the VM does not exist, or when a data disk would not be captured
    /// and <paramref name="requireAllVolumes"/> is set; otherwise the plan carries a warning per such disk.
    /// </summary>
    public static async Task<Planned<SnapshotPlan>> CheckAsync(KubeVirtConnection connection, SnapshotRequest request,
        bool requireAllVolumes, CancellationToken cancelToken)
    {
        JsonElement? vm = await VmReader.GetRawAsync(connection, request.Namespace, request.VMName, cancelToken)
            .ConfigureAwait(false);
        return vm is { } found
            ? CheckVolumes(found, request.VMName, requireAllVolumes)
            : Refusal.VMNotFound(request.VMName, request.Namespace, "Nothing was created.");
    }

    /// <summary>The volume check alone, on a VM object already read.</summary>
    public static Planned<SnapshotPlan> CheckVolumes(JsonElement vm, string vmName, bool requireAllVolumes)
    {
        KubeVirtVMVolume[] notCaptured = VmMapper.FromJson(vm, null, null, null).Volumes
            .Where(v => !v.SnapshotEnabled && v.SnapshotReason is not null && VolumeKinds.HoldsData(v.Type)).ToArray();
        if (notCaptured.Length > 0 && requireAllVolumes)
        {
            string list = string.Join("; ", notCaptured.Select(v => $"'{v.Name}': {v.SnapshotReason}"));
            return new Refusal(RefusalKind.VolumesNotCaptured,
                $"VM '{vmName}' has disks a snapshot would not capture, so nothing was created ({list}).", vmName);
        }

        return new SnapshotPlan(notCaptured
            .Select(v => $"VM '{vmName}': the snapshot will not contain the data of disk '{v.Name}': {v.SnapshotReason}")
            .ToArray());
    }
}
