using System.Text.Json;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Clones;

/// <summary>Maps a VirtualMachineClone's JSON to <see cref="KubeVirtVMClone"/>.</summary>
public static class CloneMapper
{
    public static KubeVirtVMClone FromJson(JsonElement clone, KubeVirtVM? vm, string? context)
    {
        JsonElement metadata = clone.Child("metadata");
        JsonElement spec = clone.Child("spec");
        JsonElement status = clone.Child("status");
        CloneProgress progress = CloneProgress.Evaluate(clone);
        DateTime? created = metadata.LocalTime("creationTimestamp");
        return new KubeVirtVMClone
        {
            Name = metadata.String("name") ?? string.Empty,
            Namespace = metadata.String("namespace") ?? string.Empty,
            SourceKind = spec.Child("source").String("kind") ?? string.Empty,
            SourceName = spec.Child("source").String("name") ?? string.Empty,
            VMName = status.String("targetName") ?? spec.Child("target").String("name") ?? string.Empty,
            Phase = progress.Phase,
            CreationTime = created,
            Duration = progress.Phase == "Succeeded" && created is { } start ? DateTime.Now - start : null,
            Error = progress.Phase is "Failed" or "Pending" ? progress.Message : null,
            VM = vm,
            Uid = metadata.String("uid"),
            Context = context,
        };
    }
}
