using System.Text.Json.Nodes;
using VmSnapshot.Lab.Controllers;

namespace VmSnapshot.Lab.GuestAgent;

/// <summary>
/// What the emulated agent reports: vmi.status.guestOSInfo and the bodies of the guestosinfo, userlist and
/// filesystemlist subresources (reference §3.3: VirtualMachineInstanceGuestAgentInfo, ...UserList, ...FileSystemList).
/// Windows reports os.id "mswindows" like qemu-ga's commands-win32.c.
/// </summary>
internal static class GuestOsInfo
{
    private static readonly string[] s_commands =
    [
        "guest-ping", "guest-get-time", "guest-info", "guest-shutdown", "guest-network-get-interfaces", "guest-get-fsinfo",
        "guest-get-host-name", "guest-get-users", "guest-get-timezone", "guest-get-osinfo", "guest-fsfreeze-freeze",
        "guest-fsfreeze-freeze-list", "guest-fsfreeze-thaw", "guest-fsfreeze-status", "guest-exec", "guest-exec-status",
        "guest-set-user-password", "guest-ssh-add-authorized-keys", "guest-get-vcpus", "guest-get-disks",
    ];

    public static JsonObject For(GuestAgentSettings settings, JsonObject vmi)
    {
        JsonObject info = settings.Os switch
        {
            "mswindows" => Os("mswindows", "Microsoft Windows", "Windows Server 2019 Standard", "2019", "2019", "17763", "10.0"),
            "rhel" => Os("rhel", "Red Hat Enterprise Linux", "Red Hat Enterprise Linux 8.10 (Ootpa)", "8.10 (Ootpa)", "8.10", "4.18.0-553.el8_10.x86_64", "#1 SMP Fri May 10 15:19:13 EDT 2024"),
            "centos" => Os("centos", "CentOS Stream", "CentOS Stream 9", "9", "9", "5.14.0-503.el9.x86_64", "#1 SMP PREEMPT_DYNAMIC Mon Sep 30 10:00:00 UTC 2024"),
            "ubuntu" => Os("ubuntu", "Ubuntu", "Ubuntu 24.04.1 LTS", "24.04.1 LTS (Noble Numbat)", "24.04", "6.8.0-45-generic", "#45-Ubuntu SMP PREEMPT_DYNAMIC"),
            _ => Os("fedora", "Fedora Linux", "Fedora Linux 40 (Cloud Edition)", "40 (Cloud Edition)", "40", "6.8.5-301.fc40.x86_64", "#1 SMP PREEMPT_DYNAMIC Thu Apr 11 20:00:10 UTC 2024"),
        };
        if (settings.OsInfo != null)
            foreach ((string k, JsonNode? v) in settings.OsInfo) info[k] = v?.DeepClone();
        return info;
    }

    private static JsonObject Os(string id, string name, string pretty, string version, string versionId, string kernelRelease, string kernelVersion) => new()
    {
        ["id"] = id, ["name"] = name, ["prettyName"] = pretty, ["version"] = version, ["versionId"] = versionId,
        ["kernelRelease"] = kernelRelease, ["kernelVersion"] = kernelVersion, ["machine"] = "x86_64",
    };

    public static JsonObject AgentInfo(GuestAgentSettings settings, JsonObject vmi, bool frozen) => new()
    {
        ["guestAgentVersion"] = settings.Version,
        ["supportedCommands"] = new JsonArray(s_commands.Select(c => (JsonNode)new JsonObject { ["name"] = c, ["enabled"] = !settings.DisabledCommands.Contains(c) }).ToArray()),
        ["hostname"] = settings.Hostname ?? Obj.Name(vmi),
        ["os"] = For(settings, vmi),
        ["timezone"] = settings.Timezone,
        ["userList"] = Users(settings, vmi),
        ["fsInfo"] = new JsonObject { ["disks"] = Filesystems(settings, vmi) },
        ["fsFreezeStatus"] = frozen ? "frozen" : "thawed",
    };

    public static JsonArray Users(GuestAgentSettings settings, JsonObject vmi)
    {
        if (settings.Users != null) return (JsonArray)settings.Users.DeepClone();
        JsonObject user = settings.IsWindows ? new JsonObject { ["userName"] = "Administrator", ["domain"] = Obj.Name(vmi).ToUpperInvariant(), ["loginTime"] = 1763451065.0 }
            : new JsonObject { ["userName"] = "cloud-user", ["loginTime"] = 1763451065.0 };
        return new JsonArray(user);
    }

    public static JsonArray Filesystems(GuestAgentSettings settings, JsonObject vmi)
    {
        if (settings.Filesystems != null) return (JsonArray)settings.Filesystems.DeepClone();
        List<string> disks = Obj.Items(vmi["spec"]?["domain"]?["devices"]?["disks"]).Where(d => d["disk"] != null).Select(d => Obj.Str(d, "name") ?? "").ToList();
        JsonArray result = new();
        for (int i = 0; i < disks.Count; i++)
        {
            string mount = settings.IsWindows ? $"{(char)('C' + i)}:\\" : i == 0 ? "/" : $"/mnt/{disks[i]}";
            result.Add(new JsonObject
            {
                ["diskName"] = settings.IsWindows ? $"\\\\?\\Volume{{{new Guid(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(Obj.Uid(vmi) + disks[i])))}}}\\" : $"vd{(char)('a' + i)}1",
                ["mountPoint"] = mount,
                ["fileSystemType"] = settings.IsWindows ? "NTFS" : "xfs",
                ["usedBytes"] = 6_442_450_944L * (i + 1),
                ["totalBytes"] = 32_212_254_720L * (i + 1),
                ["disk"] = new JsonArray(new JsonObject { ["serial"] = disks[i], ["busType"] = settings.IsWindows ? "sata" : "virtio" }),
            });
        }
        return result;
    }
}
