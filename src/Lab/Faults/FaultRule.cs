using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using VmSnapshot.Lab.Json;
using VmSnapshot.Lab.Time;

namespace VmSnapshot.Lab.Faults;

/// <summary>
/// One entry of the LabSettings <c>faults.rules</c> list: which requests it applies to (verbs, resources, a path
/// pattern), which of those it picks (a rate, or an exact sequence of matching requests), and what it does to them.
/// See Scenarios/README.md, "Faults".
/// </summary>
public sealed class FaultRule
{
    private static readonly HashSet<string> s_fields = new(StringComparer.OrdinalIgnoreCase)
    {
        "fault", "verbs", "resources", "path", "rate", "sequence", "count", "retryAfter", "delay", "duration", "keepBytes",
    };

    private static string KindNames => string.Join(", ", Enum.GetNames<FaultKind>().Select(Camel));

    private static readonly string[] s_verbs = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];

    public required FaultKind Kind { get; init; }

    /// <summary>The fault's name as LabSettings spells it (lostResponse).</summary>
    public string FaultName => Camel(Kind.ToString());

    /// <summary>RBAC verbs (get, list, watch, create, update, patch, delete, deletecollection); empty: all.</summary>
    public IReadOnlyList<string> Verbs { get; init; } = [];

    /// <summary>Resource plurals, or plural/subresource (virtualmachines/start); empty: all.</summary>
    public IReadOnlyList<string> Resources { get; init; } = [];

    /// <summary>A wildcard (* and ?) on the URL path; null: any path.</summary>
    public string? Path
    {
        get => _path;
        init
        {
            _path = value;
            // Built once here, not on every request the rule is tried against.
            _pathPattern = value is null ? null
                : new Regex("^" + Regex.Escape(value).Replace("\\*", ".*").Replace("\\?", ".") + "$", RegexOptions.CultureInvariant);
        }
    }

    private readonly string? _path;
    private readonly Regex? _pathPattern;

    /// <summary>The share of matching requests picked (0-1), drawn from the lab's seeded random source.</summary>
    public double? Rate { get; init; }

    /// <summary>Which matching requests are picked, counting from 1 (an exact sequence instead of a rate).</summary>
    public IReadOnlyList<int> Sequence { get; init; } = [];

    /// <summary>At most this many faults from this rule; null: no limit.</summary>
    public int? Count { get; init; }

    /// <summary>Throttle: the Retry-After the server sends.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Slow: how long the answer is held back.</summary>
    public TimeSpan Delay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>CloseWatch: how long a watch runs before it is cut; Restart: how long connections are refused.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Truncate: how many bytes of the body get through before the cut.</summary>
    public int KeepBytes { get; init; } = 64;

    /// <summary>Reads one rule; <paramref name="where"/> names it in errors ("LabSettings faults.rules[2]").</summary>
    public static FaultRule Parse(JsonNode? node, string where)
    {
        if (node is not JsonObject rule)
        {
            throw new FormatException($"{where}: a rule must be a mapping with at least 'fault'.");
        }

        foreach (string key in rule.Select(p => p.Key).Where(k => !s_fields.Contains(k)))
        {
            throw new FormatException($"{where}: unknown field '{key}'. Known: {string.Join(", ", s_fields)}.");
        }

        string kindText = JsonUtil.Str(rule["fault"]) ?? throw new FormatException($"{where}: 'fault' is required ({KindNames}).");
        if (!Enum.TryParse(kindText, ignoreCase: true, out FaultKind kind) || !Enum.IsDefined(kind) || kindText.All(char.IsDigit))
        {
            throw new FormatException($"{where}: fault '{kindText}' is not one of {KindNames}.");
        }

        string[] verbs = Strings(rule["verbs"], where, "verbs").Select(v => v.ToLowerInvariant()).ToArray();
        foreach (string verb in verbs.Where(v => !s_verbs.Contains(v)))
        {
            throw new FormatException($"{where}: verb '{verb}' is not one of {string.Join(", ", s_verbs)}.");
        }

        double? rate = rule["rate"] is { } r ? Number(r, where, "rate") : null;
        if (rate is < 0 or > 1)
        {
            throw new FormatException($"{where}: rate must be between 0 and 1, not {rate}.");
        }

        int[] sequence = rule["sequence"] switch
        {
            null => [],
            JsonArray seq => seq.Select(n => WholeNumber(n ?? JsonValue.Create(0), where, "sequence", minimum: 1)).ToArray(),
            JsonNode one => [WholeNumber(one, where, "sequence", minimum: 1)], // "sequence: 3" is the list [3]
        };

        if (rate is not null && sequence.Length > 0)
        {
            throw new FormatException($"{where}: give either rate or sequence, not both.");
        }

        return new FaultRule
        {
            Kind = kind,
            Verbs = verbs.Length > 0 ? verbs : kind is FaultKind.CloseWatch or FaultKind.ExpireWatch ? ["watch"] : [],
            Resources = Strings(rule["resources"], where, "resources").Select(r => r.ToLowerInvariant()).ToArray(),
            Path = JsonUtil.Str(rule["path"]),
            Rate = rate,
            Sequence = sequence,
            Count = rule["count"] is { } c ? WholeNumber(c, where, "count", minimum: 1) : null,
            // Retry-After is whole seconds on the wire; a Go duration (2s) is read too.
            RetryAfter = rule["retryAfter"] is { } ra
                ? TimeSpan.FromSeconds(double.TryParse(ra.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out _)
                    ? WholeNumber(ra, where, "retryAfter", minimum: 0)
                    : Math.Ceiling((ParseDuration(ra, where, "retryAfter") ?? TimeSpan.Zero).TotalSeconds))
                : TimeSpan.FromSeconds(1),
            Delay = ParseDuration(rule["delay"], where, "delay") ?? TimeSpan.FromSeconds(1),
            Duration = ParseDuration(rule["duration"], where, "duration") ?? TimeSpan.FromSeconds(1),
            KeepBytes = rule["keepBytes"] is { } kb ? WholeNumber(kb, where, "keepBytes", minimum: 0) : 64,
        };
    }

    /// <summary>Whether the rule applies to a request (before rate or sequence picks).</summary>
    internal bool Applies(string verb, string? resource, string path, bool resumesWatch)
    {
        if (Verbs.Count > 0 && !Verbs.Contains(verb))
        {
            return false;
        }

        if (Resources.Count > 0 && (resource is null || !Resources.Contains(resource)))
        {
            return false;
        }

        if (Kind == FaultKind.ExpireWatch && !resumesWatch)
        {
            return false; // only a watch from a resourceVersion can find its history compacted
        }

        return _pathPattern is null || _pathPattern.IsMatch(path);
    }

    internal static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];

    private static string[] Strings(JsonNode? node, string where, string field) => node switch
    {
        null => [],
        JsonValue v when JsonUtil.Str(v) is { } one => [one],
        JsonArray a => a.Select(n => JsonUtil.Str(n) ?? throw new FormatException($"{where}: {field} must be a list of strings.")).ToArray(),
        _ => throw new FormatException($"{where}: {field} must be a list of strings."),
    };

    private static double Number(JsonNode node, string where, string field) =>
        double.TryParse(node.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? value
            : throw new FormatException($"{where}: {field} must be a number, not '{node}'.");

    /// <summary>A whole number at least <paramref name="minimum"/>.</summary>
    private static int WholeNumber(JsonNode node, string where, string field, int minimum)
    {
        double value = Number(node, where, field);
        return value == Math.Floor(value) && value >= minimum && value <= int.MaxValue
            ? (int)value
            : throw new FormatException($"{where}: {field} must be a whole number of at least {minimum}, not {node}.");
    }

    private static TimeSpan? ParseDuration(JsonNode? node, string where, string field) =>
        node is null ? null
        : GoDuration.TryParse(node.ToString(), out TimeSpan d) && d >= TimeSpan.Zero ? d
        : throw new FormatException($"{where}: {field} must be a Go duration such as 500ms or 2s, not '{node}'.");
}
