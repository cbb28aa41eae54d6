using System.Globalization;
using System.Text.Json;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Quiesce;

/// <summary>Facts about the guest read from guestosinfo, falling back to what the VMI status mirrors of it.</summary>
internal static class GuestFacts
{
    /// <summary>The freeze commands a quiesced snapshot needs (user-needs.md §4); --block-rpcs can remove any of them.</summary>
    public static readonly string[] FreezeCommands = { "guest-fsfreeze-freeze", "guest-fsfreeze-thaw", "guest-fsfreeze-status" };

    /// <summary>qemu-ga's os.id on Windows (commands-win32.c).</summary>
    public const string WindowsOsId = "mswindows";

    public static JsonElement Os(QuiesceInputs inputs) =>
        inputs.GuestInfo?.Info is { } info && info.Child("os").ValueKind == JsonValueKind.Object
            ? info.Child("os")
            : inputs.Vmi?.Child("status").Child("guestOSInfo") ?? default;

    public static string? OsId(QuiesceInputs inputs) => Os(inputs).String("id") is { Length: > 0 } id ? id : null;

    public static string? OsName(QuiesceInputs inputs)
    {
        JsonElement os = Os(inputs);
        return os.String("prettyName") ?? os.String("name") ?? os.String("id");
    }

    public static bool IsWindows(QuiesceInputs inputs) =>
        string.Equals(OsId(inputs), WindowsOsId, StringComparison.OrdinalIgnoreCase);

    public static string? AgentVersion(QuiesceInputs inputs) => inputs.GuestInfo?.Info?.String("guestAgentVersion");

    /// <summary>The freeze commands that are missing or disabled; null when the command list is unknown.</summary>
    public static IReadOnlyList<string>? UnusableFreezeCommands(QuiesceInputs inputs)
    {
        if (inputs.GuestInfo?.Info is not { } info ||
            info.Child("supportedCommands").ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        Dictionary<string, bool> commands = new(StringComparer.Ordinal);
        foreach (JsonElement command in info.Child("supportedCommands").EnumerateArraySafe())
        {
            if (command.String("name") is { } name)
            {
                // "enabled" may be left out when false (omitempty), so absence counts as disabled.
                commands[name] = command.IsTrue("enabled");
            }
        }

        return FreezeCommands.Where(c => !commands.TryGetValue(c, out bool enabled) || !enabled).ToArray();
    }

    /// <summary>When the instance last entered Running, else when it was created (UTC).</summary>
    public static DateTime? RunningSince(JsonElement vmi)
    {
        DateTime? running = null;
        foreach (JsonElement transition in vmi.Child("status").Child("phaseTransitionTimestamps").EnumerateArraySafe())
        {
            if (transition.String("phase") == "Running" && ParseUtc(transition.String("phaseTransitionTimestamp")) is { } at &&
                (running is null || at > running))
            {
                running = at;
            }
        }

        return running ?? ParseUtc(vmi.Child("metadata").String("creationTimestamp"));
    }

    private static DateTime? ParseUtc(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset t)
            ? t.UtcDateTime
            : null;
}
