using System.Text.Json;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Vms;

/// <summary>Maps a VirtualMachine (and its running instance, when there is one) to <see cref="KubeVirtVM"/>.</summary>
public static class VmMapper
{
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
            Networks = Networks(spec),
            CPU = Cpus(spec),
            Memory = Memory(spec),
            InstanceType = InstanceType(spec),
            LastSnapshot = lastSnapshot?.Name,
            LastSnapshotTime = lastSnapshot?.CreationTime,
            SnapshotInProgress = status.String("snapshotInProgress"),
            RestoreInProgress = status.String("restoreInProgress"),
            Uid = metadata.String("uid"),
            Context = context,
        };
    }

    /// <summary>spec.template.spec.networks: each one's name, source (pod, multus, ...) and Multus networkName.</summary>
    private static KubeVirtVMNetwork[] Networks(JsonElement spec) =>
        spec.Child("template").Child("spec").Child("networks").EnumerateArraySafe()
            .Select(n => new KubeVirtVMNetwork
            {
                Name = n.String("name") ?? string.Empty,
                Type = n.ValueKind == JsonValueKind.Object
                    ? n.EnumerateObject().Select(p => p.Name).FirstOrDefault(p => p != "name") ?? "unknown"
                    : "unknown",
                Network = n.Child("multus").String("networkName"),
            })
            .ToArray();

    /// <summary>
    /// vCPUs as virt-launcher gives the guest: sockets x cores x threads of domain.cpu (each 1 when left out), else
    /// the CPU limit or request rounded up to whole CPUs, else 1. KubeVirt: pkg/virt-launcher/virtwrap/converter
    /// (vcpu/vcpu.go, GetCPUTopology). With an instancetype and no domain.cpu the instancetype decides: null, as reading it
    /// would cost a request per VM.
    /// </summary>
    private static int? Cpus(JsonElement spec)
    {
        JsonElement domain = spec.Child("template").Child("spec").Child("domain");
        JsonElement cpu = domain.Child("cpu");
        int Count(string field) => cpu.Child(field).ValueKind == JsonValueKind.Number && cpu.Child(field).TryGetInt32(out int n) && n > 0 ? n : 1;
        if (cpu.ValueKind == JsonValueKind.Object &&
            (cpu.Child("sockets").ValueKind == JsonValueKind.Number || cpu.Child("cores").ValueKind == JsonValueKind.Number ||
             cpu.Child("threads").ValueKind == JsonValueKind.Number))
        {
            return Count("sockets") * Count("cores") * Count("threads");
        }

        JsonElement resources = domain.Child("resources");
        if (CpuQuantity(resources.Child("limits").String("cpu") ?? resources.Child("requests").String("cpu")) is { } fromResources)
        {
            return fromResources;
        }

        return spec.Child("instancetype").ValueKind == JsonValueKind.Object ? null : 1;
    }

    /// <summary>A CPU quantity ("2", "500m", "1.5") rounded up to whole CPUs; null when absent or unreadable.</summary>
    private static int? CpuQuantity(string? quantity)
    {
        if (string.IsNullOrEmpty(quantity))
        {
            return null;
        }

        bool milli = quantity.EndsWith('m');
        return decimal.TryParse(milli ? quantity[..^1] : quantity, System.Globalization.NumberStyles.AllowDecimalPoint,
                System.Globalization.CultureInfo.InvariantCulture, out decimal value) && value > 0
            ? (int)Math.Ceiling(milli ? value / 1000m : value)
            : null;
    }

    /// <summary>domain.memory.guest, else resources.requests.memory, as written; null when neither is set.</summary>
    private static string? Memory(JsonElement spec)
    {
        JsonElement domain = spec.Child("template").Child("spec").Child("domain");
        return domain.Child("memory").String("guest") ?? domain.Child("resources").Child("requests").String("memory");
    }

    /// <summary>spec.instancetype as "kind/name"; the kind defaults to VirtualMachineClusterInstancetype, as in KubeVirt.</summary>
    private static string? InstanceType(JsonElement spec)
    {
        JsonElement instancetype = spec.Child("instancetype");
        return instancetype.String("name") is { } name
            ? $"{instancetype.String("kind") ?? "VirtualMachineClusterInstancetype"}/{name}"
            : null;
    }

    /// <summary>spec.runStrategy, else the deprecated spec.running (true = Always, false = Halted), else Halted.</summary>
    public static string RunStrategy(JsonElement spec) =>
        spec.String("runStrategy") ?? spec.Child("running").ValueKind switch
        {
            JsonValueKind.True => "Always",
            _ => "Halted",
        };

    /// <summary>
    /// The guest OS: what the guest agent reports, else what OpenShift's templates record on the VM: the annotation
    /// name.os.template.kubevirt.io/&lt;id&gt; (a display name), the label os.template.kubevirt.io/&lt;id&gt;: "true", or the
    /// annotation vm.kubevirt.io/os.
    /// </summary>
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

        JsonElement annotations = metadata.Child("annotations");
        JsonElement labels = metadata.Child("labels");
        return WithPrefix(annotations, "name.os.template.kubevirt.io/").Select(p => p.Value).FirstOrDefault()
            ?? WithPrefix(labels, "os.template.kubevirt.io/").Where(p => p.Value == "true")
                .Select(p => p.Key["os.template.kubevirt.io/".Length..]).FirstOrDefault()
            ?? annotations.String("vm.kubevirt.io/os");
    }

    /// <summary>True for a Windows guest, whichever way the OS was recorded (mswindows, win2k19, "Microsoft Windows ...").</summary>
    public static bool IsWindows(string? os) =>
        os is not null && (os.Contains("windows", StringComparison.OrdinalIgnoreCase) ||
                           os.StartsWith("win", StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<KeyValuePair<string, string>> WithPrefix(JsonElement map, string prefix) =>
        map.ValueKind == JsonValueKind.Object
            ? map.EnumerateObject()
                .Where(p => p.Name.StartsWith(prefix, StringComparison.Ordinal) && p.Value.ValueKind == JsonValueKind.String)
                .Select(p => KeyValuePair.Create(p.Name, p.Value.GetString()!))
            : Enumerable.Empty<KeyValuePair<string, string>>();

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
