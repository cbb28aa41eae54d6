using System.Text.Json.Nodes;
using VmSnapshot.Lab.Json;
using VmSnapshot.Lab.Time;

namespace VmSnapshot.Lab.GuestAgent;

/// <summary>
/// How the emulated qemu-guest-agent of one VM behaves. Written as a mapping either in the VM annotation
/// <c>lab.vmsnapshot.io/guest-agent</c> (JSON or YAML flow, or the word <c>none</c>) or in the scenario's
/// LabSettings <c>guestAgents</c> section keyed by <c>namespace/name</c> or <c>name</c>. See Scenarios/README.md.
/// </summary>
public sealed class GuestAgentSettings
{
    public const string Annotation = "lab.vmsnapshot.io/guest-agent";

    /// <summary>Whether the agent channel is connected at all (the VMI's AgentConnected condition).</summary>
    public bool Connected { get; init; } = true;
    /// <summary>linux, rhel, fedora, centos, ubuntu or mswindows (also "windows").</summary>
    public string Os { get; init; } = "fedora";
    /// <summary>Overrides fields of the reported guestOSInfo.</summary>
    public JsonObject? OsInfo { get; init; }
    public string Version { get; init; } = "8.2.0";
    /// <summary>Agent commands reported as enabled=false (qemu-ga --block-rpcs), e.g. guest-fsfreeze-freeze.</summary>
    public IReadOnlyList<string> DisabledCommands { get; init; } = [];
    /// <summary>How long a freeze takes (fsfreeze hooks, VSS writers), on the lab clock.</summary>
    public TimeSpan FreezeLatency { get; init; }
    /// <summary>When set, every freeze fails with this agent error (e.g. "fsfreeze hook has failed with status 1").</summary>
    public string? FreezeError { get; init; }
    /// <summary>The agent connects only this long after the VMI started running (Windows: VSS not ready after boot).</summary>
    public TimeSpan ReadyAfterBoot { get; init; }
    /// <summary>When &gt; 0 the channel flaps: connected and disconnected alternately for this long each.</summary>
    public TimeSpan FlapInterval { get; init; }
    /// <summary>Windows VSS holds writes at most this long (10 s, VSS_E_HOLD_WRITES_TIMEOUT); later thaws fail.</summary>
    public TimeSpan VssHoldLimit { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Linux: an fsfreeze hook is installed (reported by the lab in guestosinfo-adjacent data only).</summary>
    public bool FsfreezeHook { get; init; }
    public string? Hostname { get; init; }
    public string Timezone { get; init; } = "UTC, 0";
    public JsonArray? Users { get; init; }
    public JsonArray? Filesystems { get; init; }

    public bool IsWindows => Os is "mswindows" or "windows";

    public static readonly GuestAgentSettings Absent = new() { Connected = false };

    /// <summary>Reads the mapping; unknown keys are an error so typos do not pass silently.</summary>
    public static GuestAgentSettings Parse(JsonNode? node, string where)
    {
        if (node is JsonValue v && JsonUtil.Str(v) is "none" or "absent") return Absent;
        if (node is not JsonObject o) throw new FormatException($"{where}: the guest agent settings must be a mapping or 'none'.");
        foreach (string? key in o.Select(p => p.Key))
            if (!s_known.Contains(key)) throw new FormatException($"{where}: unknown guest agent setting '{key}' (known: {string.Join(", ", s_known)}).");
        TimeSpan Dur(string key, TimeSpan fallback)
        {
            string? text = o[key] is JsonValue jv ? jv.ToString() : null;
            if (text == null) return fallback;
            if (!GoDuration.TryParse(text, out TimeSpan d)) throw new FormatException($"{where}: '{key}' must be a Go duration such as 10s or 1m30s, not '{text}'.");
            return d;
        }
        string os = (JsonUtil.Str(o["os"]) ?? "fedora").ToLowerInvariant();
        return new GuestAgentSettings
        {
            Connected = o["connected"]?.GetValueKind() != System.Text.Json.JsonValueKind.False,
            Os = os == "windows" ? "mswindows" : os,
            OsInfo = o["osInfo"] as JsonObject,
            Version = JsonUtil.Str(o["version"]) ?? "8.2.0",
            DisabledCommands = (o["disabledCommands"] as JsonArray ?? []).Select(x => x?.ToString() ?? "").ToList(),
            FreezeLatency = Dur("freezeLatency", TimeSpan.Zero),
            FreezeError = JsonUtil.Str(o["freezeError"]),
            ReadyAfterBoot = Dur("readyAfterBoot", TimeSpan.Zero),
            FlapInterval = Dur("flapInterval", TimeSpan.Zero),
            VssHoldLimit = Dur("vssHoldLimit", TimeSpan.FromSeconds(10)),
            FsfreezeHook = o["fsfreezeHook"]?.GetValueKind() == System.Text.Json.JsonValueKind.True,
            Hostname = JsonUtil.Str(o["hostname"]),
            Timezone = JsonUtil.Str(o["timezone"]) ?? "UTC, 0",
            Users = o["users"] as JsonArray,
            Filesystems = o["filesystems"] as JsonArray,
        };
    }

    private static readonly string[] s_known =
    [
        "connected", "os", "osInfo", "version", "disabledCommands", "freezeLatency", "freezeError", "readyAfterBoot",
        "flapInterval", "vssHoldLimit", "fsfreezeHook", "hostname", "timezone", "users", "filesystems",
    ];
}
