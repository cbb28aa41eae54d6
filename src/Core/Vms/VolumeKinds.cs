using System.Text.Json;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Vms;

/// <summary>What kind of content a VM volume holds, for deciding what a snapshot loses.</summary>
public static class VolumeKinds
{
    /// <summary>
    /// Volume types whose content is generated from the VM spec, which a snapshot does hold: KubeVirt reports them as
    /// "not supported" for snapshots and lists them as excluded, but nothing is lost.
    /// </summary>
    private static readonly HashSet<string> s_generatedFromSpec = new(StringComparer.Ordinal)
    {
        "cloudInitNoCloud", "cloudInitConfigDrive", "configMap", "secret", "serviceAccount", "downwardAPI",
        "downwardMetrics", "sysprep",
    };

    /// <summary>True for a volume type whose data would really be missing from a snapshot that excludes it.</summary>
    public static bool HoldsData(string volumeType) => !s_generatedFromSpec.Contains(volumeType);

    /// <summary>The names of the volumes in a VM spec whose content is generated from the spec.</summary>
    public static IReadOnlySet<string> GeneratedVolumeNames(JsonElement vmSpec) =>
        vmSpec.Child("template").Child("spec").Child("volumes").EnumerateArraySafe()
            .Where(v => v.EnumerateObject().Any(p => p.Name != "name" && !HoldsData(p.Name)))
            .Select(v => v.String("name") ?? string.Empty)
            .ToHashSet(StringComparer.Ordinal);
}
