namespace VmSnapshot;

/// <summary>
/// One fault rule of a lab (Set-KubeVirtLabFault, or the scenario's LabSettings faults) and what it has done so far:
/// how many requests it applied to, and how many it made fail.
/// </summary>
public sealed class KubeVirtLabFault
{
    public KubeVirtLabFault(string labName, int index, string fault, string[] verbs, string[] resources, string? path,
        double? rate, int[] sequence, int? count, int seed, int matched, int injected)
    {
        LabName = labName;
        Index = index;
        Fault = fault;
        Verbs = verbs;
        Resources = resources;
        Path = path;
        Rate = rate;
        Sequence = sequence;
        Count = count;
        Seed = seed;
        Matched = matched;
        Injected = injected;
    }

    /// <summary>The lab the rule is set on.</summary>
    public string LabName { get; }

    /// <summary>The rule's place in the list (from 1): the first rule that picks a request wins.</summary>
    public int Index { get; }

    /// <summary>What the rule does: throttle, error, unavailable, reset, lostResponse, truncate, closeWatch, expireWatch, slow or restart.</summary>
    public string Fault { get; }

    /// <summary>The verbs it applies to (empty: all).</summary>
    public ValueList<string> Verbs { get; }

    /// <summary>The resources it applies to (empty: all).</summary>
    public ValueList<string> Resources { get; }

    /// <summary>The URL path wildcard it applies to, if any.</summary>
    public string? Path { get; }

    /// <summary>The share of matching requests it picks, when it picks by rate.</summary>
    public double? Rate { get; }

    /// <summary>Which matching requests it picks (from 1), when it picks by sequence.</summary>
    public ValueList<int> Sequence { get; }

    /// <summary>At most this many faults, if limited.</summary>
    public int? Count { get; }

    /// <summary>The seed of the lab's fault random source.</summary>
    public int Seed { get; }

    /// <summary>Requests the rule applied to so far.</summary>
    public int Matched { get; }

    /// <summary>Requests it made fail so far.</summary>
    public int Injected { get; }

    /// <summary>How it picks, for tables: "rate 0.1", "sequence 1,3" or "all".</summary>
    public string Picks => Sequence.Length > 0 ? "sequence " + string.Join(",", Sequence)
        : Rate is { } rate ? "rate " + rate.ToString(System.Globalization.CultureInfo.InvariantCulture) : "all";
}
