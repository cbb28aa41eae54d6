using System.Globalization;
using System.Text.Json.Nodes;
using VmSnapshot.Lab.Api;
using VmSnapshot.Lab.Http;

namespace VmSnapshot.Lab.Faults;

/// <summary>
/// Decides, request by request, whether a fault rule picks it. Rules are tried in order; the first that applies and
/// picks the request wins. Picks are deterministic for a seed: the rate draws from one seeded random source in the
/// order requests arrive, and a sequence counts matching requests. Rules can be replaced on a running lab.
/// </summary>
public sealed class FaultInjector
{
    private readonly object _sync = new();
    private List<RuleState> _rules = new();
    private Random _random = new(0);

    /// <summary>The seed the rate draws start from.</summary>
    public int Seed { get; private set; }

    /// <summary>The rules and what they have done so far.</summary>
    public IReadOnlyList<FaultRuleStatus> Status
    {
        get
        {
            lock (_sync)
            {
                return _rules.Select((r, i) => new FaultRuleStatus(i + 1, r.Rule, r.Matched, r.Injected)).ToArray();
            }
        }
    }

    /// <summary>Replaces every rule (an empty list turns faults off) and restarts the random source from the seed.</summary>
    public void Set(IEnumerable<FaultRule> rules, int seed)
    {
        lock (_sync)
        {
            _rules = rules.Select(r => new RuleState(r)).ToList();
            Seed = seed;
            _random = new Random(seed);
        }
    }

    /// <summary>Reads a LabSettings <c>faults</c> section: <c>{ seed: N, rules: [...] }</c>.</summary>
    public void Configure(JsonNode? faults)
    {
        if (faults is null)
        {
            return;
        }

        if (faults is not JsonObject section)
        {
            throw new FormatException("LabSettings faults: must be a mapping with 'rules' (a list) and optionally 'seed'.");
        }

        int seed = section["seed"] switch
        {
            null => 0,
            JsonValue s when int.TryParse(s.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) => n,
            { } other => throw new FormatException($"LabSettings faults: seed must be a whole number, not '{other}'."),
        };
        JsonArray rules = section["rules"] as JsonArray ?? throw new FormatException("LabSettings faults: 'rules' must be a list.");
        Set(rules.Select((r, i) => FaultRule.Parse(r, $"LabSettings faults.rules[{i}]")).ToArray(), seed);
    }

    /// <summary>The rule that picks this request, or null to serve it normally.</summary>
    internal FaultRule? Decide(HttpRequest request)
    {
        if (_rules.Count == 0)
        {
            return null; // the common case: no faults, no lock
        }

        (string verb, string? resource) = Classify(request);
        bool resumesWatch = verb == "watch" && request.Query["resourceVersion"] is { Length: > 0 } rv && rv != "0";
        lock (_sync)
        {
            foreach (RuleState state in _rules)
            {
                if (!state.Rule.Applies(verb, resource, request.Path, resumesWatch))
                {
                    continue;
                }

                state.Matched++;
                if (state.Rule.Count is { } limit && state.Injected >= limit)
                {
                    continue;
                }

                // Only a rate draws from the random source, so adding a rule that picks every request (or a
                // sequence) does not change which requests a rate rule picks.
                bool picked = state.Rule.Sequence.Count > 0 ? state.Rule.Sequence.Contains(state.Matched)
                    : state.Rule.Rate is not { } rate || _random.NextDouble() < rate;
                if (picked)
                {
                    state.Injected++;
                    return state.Rule;
                }
            }
        }

        return null;
    }

    /// <summary>The RBAC verb and resource (plural, or plural/subresource) a request is for, as the apiserver's RequestInfo resolves them.</summary>
    internal static (string Verb, string? Resource) Classify(HttpRequest request)
    {
        ApiPath? path = ApiPath.Parse(request.Path.Length > 1 ? request.Path.TrimEnd('/') : request.Path);
        bool item = path?.Name is not null;
        bool watch = request.Query.Bool("watch") == true;
        string verb = request.Method switch
        {
            "GET" or "HEAD" when watch => "watch",
            "GET" or "HEAD" => item ? "get" : "list",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => item ? "delete" : "deletecollection",
            _ => request.Method.ToLowerInvariant(),
        };
        string? resource = path is null ? null : path.Subresource is null ? path.Plural : $"{path.Plural}/{path.Subresource}";
        return (verb, resource);
    }

    private sealed class RuleState(FaultRule rule)
    {
        public FaultRule Rule { get; } = rule;
        public int Matched { get; set; }
        public int Injected { get; set; }
    }
}

/// <summary>One rule and its counts: requests it applied to, and faults it injected.</summary>
public sealed record FaultRuleStatus(int Index, FaultRule Rule, int Matched, int Injected);
