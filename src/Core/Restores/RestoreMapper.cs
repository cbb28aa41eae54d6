using System.Text.Json;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Restores;

/// <summary>Maps a VirtualMachineRestore's JSON to <see cref="KubeVirtVMRestore"/>.</summary>
public static class RestoreMapper
{
    public static KubeVirtVMRestore FromJson(JsonElement restore, string? context)
    {
        JsonElement metadata = restore.Child("metadata");
        JsonElement spec = restore.Child("spec");
        JsonElement status = restore.Child("status");
        DateTime? created = metadata.LocalTime("creationTimestamp");
        DateTime? restored = status.LocalTime("restoreTime");
        RestoreProgress progress = RestoreProgressRules.Evaluate(restore);

        return new KubeVirtVMRestore
        {
            Name = metadata.String("name") ?? string.Empty,
            Namespace = metadata.String("namespace") ?? string.Empty,
            VMName = spec.Child("target").String("name") ?? string.Empty,
            SnapshotName = spec.String("virtualMachineSnapshotName") ?? string.Empty,
            Complete = status.IsTrue("complete"),
            RestoreTime = restored,
            RestoredVolumes = status.Child("restores").EnumerateArraySafe().Select(r => new KubeVirtRestoredVolume
            {
                VolumeName = r.String("volumeName") ?? string.Empty,
                ClaimName = r.String("persistentVolumeClaim") ?? string.Empty,
                VolumeSnapshotName = r.String("volumeSnapshotName"),
            }).ToArray(),
            Duration = restored - created,
            Error = progress.Stage is RestoreStage.Failed or RestoreStage.Retrying ? progress.Message : null,
            TargetReadinessPolicy = spec.String("targetReadinessPolicy"),
            VolumeRestorePolicy = spec.String("volumeRestorePolicy"),
            Uid = metadata.String("uid"),
            Context = context,
        };
    }
}
