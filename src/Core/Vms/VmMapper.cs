using System.Text.Json;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Vms;

/// <summary>Maps a VirtualMachine (and its running instance, when there is one) to <see cref="KubeVirtVM"/>.</summary>
public static class VmMapper
{
    /// <summary>Annotations and labels where OpenShift templates and the console record the guest OS.</summary>
    private static readonly string[] s_osKeys =
    {
        "vm.kubevirt.io/os", "os.template.kubevirt.io/name", "kubevirt.io/os",
    };

    public static KubeVirtVM FromJson(JsonElement vm, JsonElement? vmi, KubeVirtVMSnapshot? lastSnapshot, string? context)
    {
        JsonElement metadata = vm.Child("metadata");
        JsonElement spec = vm.Child("spec");
        JsonElement status = vm.Child("status");

        bool agentConnected = vmi is { } instance && instance.Child("status").Child("conditions").EnumerateArraySafe()
            .Any(c => c.String("type") == "AgentConnected" && c.String("status") == "True");

        return new KubeVirtVM
        {
            Name = metadata.String("name") ?? string.Empty,
            Namespace = metadata.String("namespace") ?? string.Empty,
            Status = status.String("printableStatus") ?? "Stopped",
            RunStrategy = RunStrategy(spec),
            GuestAgent = agentConnected,
            OS = OperatingSystem(metadata, vmi),
            Volumes = Volumes(spec, status),
            LastSnapshot = lastSnapshot?.Name,
            LastSnapshotTime = lastSnapshot?.CreationTime,
            SnapshotInProgress = status.String("snapshotInProgress"),
            RestoreInProgress = status.String("restoreInProgress"),
            Uid = metadata.String("uid"),
            Context = context,
        };
    }

    /// <summary>spec.runStrategy, else the deprecated spec.running (true = Always, false = Halted), else Halted.</summary>
    public static string RunStrategy(JsonElement spec) =>
        spec.String("runStrategy") ?? spec.Child("running").ValueKind switch
        {
            JsonValueKind.True => "Always",
            _ => "Halted",
        };

    private static string? OperatingSystem(JsonElement metadata, JsonElement? vmi)
    {
        if (vmi is { } instance)
        {
            JsonElement guestOs = instance.Child("status").Child("guestOSInfo");
            string? pretty = guestOs.String("prettyName") ?? guestOs.String("name");
            if (!string.IsNullOrEmpty(pretty))
            {
                return pretty;
            }
        }

        foreach (string key in s_osKeys)
        {
            string? value = metadata.Child("annotations").String(key) ?? metadata.Child("labels").String(key);
            if (!string.IsNullOrEmpty(value))
            {
                return value;
            }
        }

        return null;
    }

    private static KubeVirtVMVolume[] Volumes(JsonElement spec, JsonElement status)
    {
        Dictionary<string, JsonElement> snapshotStatuses = status.Child("volumeSnapshotStatuses").EnumerateArraySafe()
            .Where(s => s.String("name") is not null)
            .GroupBy(s => s.String("name")!)
            .ToDictionary(g => g.Key, g => g.First());

        return spec.Child("template").Child("spec").Child("volumes").EnumerateArraySafe().Select(volume =>
        {
            string name = volume.String("name") ?? string.Empty;
            snapshotStatuses.TryGetValue(name, out JsonElement snapshotStatus);
            return new KubeVirtVMVolume
            {
                Name = name,
                Type = VolumeType(volume),
                ClaimName = volume.Child("persistentVolumeClaim").String("claimName") ?? volume.Child("dataVolume").String("name"),
                Hotpluggable = volume.Child("persistentVolumeClaim").Child("hotpluggable").ValueKind == JsonValueKind.True ||
                               volume.Child("dataVolume").Child("hotpluggable").ValueKind == JsonValueKind.True,
                SnapshotEnabled = snapshotStatus.Child("enabled").ValueKind == JsonValueKind.True,
                SnapshotReason = snapshotStatus.String("reason"),
            };
        }).ToArray();
    }

    private static string VolumeType(JsonElement volume)
    {
        foreach (JsonProperty property in volume.EnumerateObject())
        {
            if (property.Name != "name")
            {
                return property.Name;
            }
        }

        return "unknown";
    }
}
