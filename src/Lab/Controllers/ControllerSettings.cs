using System.Text.Json.Nodes;
using VmSnapshot.Lab.GuestAgent;
using VmSnapshot.Lab.Json;
using VmSnapshot.Lab.Time;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// The controller-related part of a scenario's LabSettings document (see Scenarios/README.md, "Controllers"):
/// clockSpeed, kubevirtVersion, guestAgents, storageClasses and timings.
/// </summary>
public sealed class ControllerSettings
{
    public double? ClockSpeed { get; init; }
    public KubeVirtBehaviour KubeVirt { get; init; } = KubeVirtBehaviour.Current;
    /// <summary>Keyed by "namespace/name" or "name".</summary>
    public IReadOnlyDictionary<string, GuestAgentSettings> GuestAgents { get; init; } = new Dictionary<string, GuestAgentSettings>();
    public IReadOnlyDictionary<string, StorageBehaviour> StorageClasses { get; init; } = new Dictionary<string, StorageBehaviour>();
    /// <summary>How long a VMI takes from creation to Running.</summary>
    public TimeSpan VmStartDuration { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>How long a VMI takes to shut down once deleted.</summary>
    public TimeSpan VmStopDuration { get; init; } = TimeSpan.FromSeconds(2);

    public static readonly ControllerSettings Default = new();

    public static ControllerSettings Parse(JsonObject? labSettings)
    {
        if (labSettings == null) return Default;
        double? speed = null;
        if (labSettings["clockSpeed"] is JsonValue cs)
        {
            if (!double.TryParse(cs.ToString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double s) || s <= 0)
                throw new FormatException($"LabSettings: clockSpeed must be a number greater than 0, not '{cs}'.");
            speed = s;
        }
        Dictionary<string, GuestAgentSettings> agents = new(StringComparer.Ordinal);
        if (labSettings["guestAgents"] is JsonObject ga)
            foreach ((string key, JsonNode? value) in ga) agents[key] = GuestAgentSettings.Parse(value, $"LabSettings guestAgents '{key}'");
        Dictionary<string, StorageBehaviour> storage = new(StringComparer.Ordinal);
        if (labSettings["storageClasses"] is JsonObject sc)
            foreach ((string key, JsonNode? value) in sc) storage[key] = StorageBehaviour.Parse(value, $"LabSettings storageClasses '{key}'");
        JsonObject? timings = labSettings["timings"] as JsonObject;
        TimeSpan Dur(string key, TimeSpan fallback)
        {
            string? text = timings?[key] is JsonValue v ? v.ToString() : null;
            if (text == null) return fallback;
            return GoDuration.TryParse(text, out TimeSpan d) ? d : throw new FormatException($"LabSettings timings: '{key}' must be a Go duration, not '{text}'.");
        }
        return new ControllerSettings
        {
            ClockSpeed = speed,
            KubeVirt = KubeVirtBehaviour.For(JsonUtil.Str(labSettings["kubevirtVersion"])),
            GuestAgents = agents,
            StorageClasses = storage,
            VmStartDuration = Dur("vmStart", Default.VmStartDuration),
            VmStopDuration = Dur("vmStop", Default.VmStopDuration),
        };
    }
}

/// <summary>
/// The KubeVirt release whose behaviour the controllers follow (default 1.9), with the differences the
/// reference lists (§1.2 version table, §4.4): which indications exist and how a freeze error is reported.
/// </summary>
public sealed record KubeVirtBehaviour(int Minor)
{
    public static readonly KubeVirtBehaviour Current = new(9);

    public static KubeVirtBehaviour For(string? version)
    {
        if (string.IsNullOrEmpty(version)) return Current;
        string[] parts = version.TrimStart('v').Split('.');
        if (parts.Length < 2 || parts[0] != "1" || !int.TryParse(parts[1], out int minor) || minor < 0)
            throw new FormatException($"LabSettings: kubevirtVersion must look like v1.9 or v1.7.2, not '{version}'.");
        return new KubeVirtBehaviour(Math.Min(minor, 9));
    }

    /// <summary>v1.7+: status.sourceIndications and the Paused indication.</summary>
    public bool HasSourceIndications => Minor >= 7;
    /// <summary>v1.6–1.7: a failed freeze is wrapped "Failed freezing vm ..." and gives QuiesceFailed.</summary>
    public bool HasQuiesceFailed => Minor is 6 or 7;
    /// <summary>v1.8+: the Windows VSS 10 s limit gives QuiesceTimeout.</summary>
    public bool HasQuiesceTimeout => Minor >= 8;
    /// <summary>v1.9+: PartialSnapshot, and Beta feature gates (Snapshot) on unless disabled.</summary>
    public bool HasPartialSnapshot => Minor >= 9;
    public bool SnapshotGateOnByDefault => Minor >= 9;
    /// <summary>≤ v1.4: the snapshot webhook still rejects a missing source VM.</summary>
    public bool RejectsSnapshotOfMissingVm => Minor <= 4;
    public string Version => $"v1.{Minor}.0";
}
