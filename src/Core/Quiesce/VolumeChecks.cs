using System.Text.Json;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Quiesce;

/// <summary>
/// Which disks a snapshot would contain, in the cluster's own words (vm.status.volumeSnapshotStatuses, written by
/// KubeVirt's snapshot controller for every VM), and hot-plugged volumes: one persisted in the VM spec is
/// captured, one that only the running instance has is not.
/// </summary>
internal static class VolumeChecks
{
    /// <summary>Volume types rebuilt from the VM spec on restore: not snapshotted, and nothing is lost by that.</summary>
    private static readonly string[] s_fromSpec =
    {
        "cloudInitNoCloud", "cloudInitConfigDrive", "configMap", "secret", "serviceAccount", "downwardAPI",
        "downwardMetrics", "sysprep",
    };

    /// <summary>Volume types whose writes are thrown away at every restart anyway.</summary>
    private static readonly string[] s_ephemeral = { "containerDisk", "emptyDisk", "ephemeral" };

    /// <summary>Adds one check per volume and per hot-plugged volume; returns the names not captured.</summary>
    public static VolumeSummary Add(CheckList checks, QuiesceInputs inputs)
    {
        JsonElement status = inputs.Vm.Child("status");
        Dictionary<string, JsonElement> statuses = status.Child("volumeSnapshotStatuses").EnumerateArraySafe()
            .Where(s => s.String("name") is not null)
            .GroupBy(s => s.String("name")!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        List<(string Name, string Type)> volumes = inputs.Vm.Child("spec").Child("template").Child("spec").Child("volumes")
            .EnumerateArraySafe().Select(v => (v.String("name") ?? string.Empty, VolumeType(v))).ToList();
        // The backend-storage PVC (persistent TPM/EFI) is reported without being a spec volume.
        volumes.AddRange(statuses.Keys.Where(k => volumes.All(v => v.Name != k)).Select(k => (k, "backend storage")));

        List<string> notCaptured = new();
        List<string> dataNotCaptured = new();
        int captured = 0;
        bool unreported = false;
        if (statuses.Count == 0 && volumes.Count > 0)
        {
            unreported = true;
            checks.Add(CheckNames.VolumeStatuses, CheckStatus.Warn,
                "The cluster has not reported which disks snapshots capture (vm.status.volumeSnapshotStatuses is " +
                "empty: KubeVirt's snapshot controller has not processed this VM). Whether its data would be captured is unknown.");
        }
        else
        {
            foreach ((string name, string type) in volumes)
            {
                bool? taken = AddVolume(checks, name, type, statuses.TryGetValue(name, out JsonElement s) ? s : null);
                if (taken is null)
                {
                    unreported = true;
                }
                else if (taken == true)
                {
                    captured++;
                }
                else if (!s_fromSpec.Contains(type, StringComparer.Ordinal))
                {
                    notCaptured.Add(name);
                    if (!s_ephemeral.Contains(type, StringComparer.Ordinal))
                    {
                        dataNotCaptured.Add(name); // the volume check failed: its data would be missing
                    }
                }
            }
        }

        string[] instanceOnly = AddHotplug(checks, inputs, volumes.Select(v => v.Name).ToHashSet(StringComparer.Ordinal)).ToArray();
        notCaptured.AddRange(instanceOnly);
        dataNotCaptured.AddRange(instanceOnly);
        bool known = statuses.Count > 0 || volumes.Count == 0;
        bool nothingCaptured = known && captured == 0;
        SnapshotCoverage coverage = nothingCaptured ? SnapshotCoverage.ConfigOnly
            : dataNotCaptured.Count > 0 ? SnapshotCoverage.Partial
            : unreported ? SnapshotCoverage.Unknown
            : SnapshotCoverage.AllDisks;
        return new VolumeSummary(nothingCaptured, notCaptured, dataNotCaptured, coverage);
    }

    /// <returns>True when captured, false when not, null when the cluster did not say.</returns>
    private static bool? AddVolume(CheckList checks, string name, string type, JsonElement? status)
    {
        if (status is not { } s)
        {
            checks.Add(CheckNames.Volume, CheckStatus.Warn,
                $"Volume '{name}' ({type}): the cluster reports nothing for it yet, so whether a snapshot captures it is unknown.",
                name);
            return null;
        }

        if (s.IsTrue("enabled"))
        {
            checks.Add(CheckNames.Volume, CheckStatus.Pass, $"Volume '{name}' ({type}) is captured by snapshots.", name);
            return true;
        }

        string reason = s.String("reason") ?? "no reason given";
        if (s_fromSpec.Contains(type, StringComparer.Ordinal))
        {
            checks.Add(CheckNames.Volume, CheckStatus.Pass,
                $"Volume '{name}' ({type}) is not snapshotted; a restore rebuilds it from the VM spec.", name);
        }
        else if (s_ephemeral.Contains(type, StringComparer.Ordinal))
        {
            checks.Add(CheckNames.Volume, CheckStatus.Warn,
                $"Volume '{name}' ({type}) is not captured ({reason}). It is ephemeral: what the guest wrote to it is " +
                "not in the snapshot (and is lost at every restart anyway).", name);
        }
        else
        {
            string action = reason.StartsWith("No VolumeSnapshotClass", StringComparison.Ordinal)
                ? "Ask a cluster administrator for a VolumeSnapshotClass for that StorageClass, or move the disk to one that has it."
                : "Fix the cause the cluster names, or back this disk up another way.";
            checks.Add(CheckNames.Volume, CheckStatus.Fail,
                $"Volume '{name}' ({type}) is NOT captured: {reason}. A snapshot would not contain its data. {action}", name);
        }

        return false;
    }

    /// <returns>The volumes hot-plugged into the instance only, which snapshots do not capture.</returns>
    private static IEnumerable<string> AddHotplug(CheckList checks, QuiesceInputs inputs, HashSet<string> specVolumes)
    {
        foreach (JsonElement volume in inputs.Vm.Child("spec").Child("template").Child("spec").Child("volumes").EnumerateArraySafe())
        {
            if (IsHotpluggable(volume) && volume.String("name") is { } name)
            {
                checks.Add(CheckNames.HotplugVolume, CheckStatus.Pass,
                    $"Hot-plugged volume '{name}' is persisted in the VM spec, so snapshots include it like any other " +
                    "disk (KubeVirt releases before hot-plug support in snapshots refused live snapshots of such VMs).", name);
            }
        }

        if (inputs.Vmi is not { } vmi)
        {
            return Array.Empty<string>();
        }

        HashSet<string> hotplugged = vmi.Child("spec").Child("volumes").EnumerateArraySafe()
            .Where(IsHotpluggable).Select(v => v.String("name")).OfType<string>().ToHashSet(StringComparer.Ordinal);
        hotplugged.UnionWith(vmi.Child("status").Child("volumeStatus").EnumerateArraySafe()
            .Where(v => v.Child("hotplugVolume").ValueKind == JsonValueKind.Object)
            .Select(v => v.String("name")).OfType<string>());
        string[] instanceOnly = hotplugged.Where(n => !specVolumes.Contains(n)).Order(StringComparer.Ordinal).ToArray();
        foreach (string name in instanceOnly)
        {
            checks.Add(CheckNames.HotplugVolume, CheckStatus.Fail,
                $"Volume '{name}' was hot-plugged into the running instance only and is not persisted in the VM spec: " +
                "a snapshot does not capture it. Persist it (virtctl addvolume ... --persist) or add it to the VM spec " +
                "before relying on snapshots.", name);
        }

        return instanceOnly;
    }

    private static bool IsHotpluggable(JsonElement volume) =>
        volume.Child("persistentVolumeClaim").IsTrue("hotpluggable") || volume.Child("dataVolume").IsTrue("hotpluggable");

    private static string VolumeType(JsonElement volume) =>
        volume.ValueKind == JsonValueKind.Object
            ? volume.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => n != "name") ?? "unknown"
            : "unknown";
}

/// <summary>What the volume checks found that the verdict needs.</summary>
/// <param name="NothingCaptured">True when the cluster says no disk at all would be captured (config only).</param>
/// <param name="NotCaptured">Volumes whose data a snapshot would not contain (ephemeral ones included).</param>
/// <param name="DataNotCaptured">
/// Of those, the disks whose data would really be missing (their check failed): not ephemeral, not rebuilt from the spec.
/// </param>
/// <param name="Coverage">What a snapshot taken now would hold.</param>
internal sealed record VolumeSummary(bool NothingCaptured, IReadOnlyList<string> NotCaptured,
    IReadOnlyList<string> DataNotCaptured, SnapshotCoverage Coverage);
