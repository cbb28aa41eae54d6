using System.Text.Json.Nodes;
using VmSnapshot.Lab.Json;
using VmSnapshot.Lab.Store;

namespace VmSnapshot.Lab.Api;

/// <summary>
/// A label selector in the full string grammar: key, !key, key=v, key==v, key!=v, key in (a,b),
/// key notin (a,b), key&gt;n, key&lt;n; requirements joined by commas are ANDed.
/// </summary>
internal sealed class LabelSelector
{
    private readonly List<Func<IReadOnlyDictionary<string, string>, bool>> _requirements = [];

    public static LabelSelector Parse(string? text)
    {
        LabelSelector selector = new();
        if (string.IsNullOrWhiteSpace(text)) return selector;
        foreach (string raw in SplitTopLevel(text))
        {
            string req = raw.Trim();
            if (req.Length == 0) throw Errors.BadRequest($"unable to parse requirement: found '', expected: identifier");
            selector._requirements.Add(ParseRequirement(req));
        }
        return selector;
    }

    public bool IsEmpty => _requirements.Count == 0;

    public bool Matches(IReadOnlyDictionary<string, string> labels) => _requirements.All(r => r(labels));

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '(')
            {
                depth++;
            }
            else if (text[i] == ')')
            {
                depth--;
            }
            else if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }
        yield return text[start..];
    }

    private static Func<IReadOnlyDictionary<string, string>, bool> ParseRequirement(string req)
    {
        if (req.StartsWith('!'))
        {
            string key = ValidKey(req[1..].Trim());
            return l => !l.ContainsKey(key);
        }
        foreach (string op in new[] { "==", "!=", "=" })
        {
            int at = req.IndexOf(op, StringComparison.Ordinal);
            if (at > 0)
            {
                string key = ValidKey(req[..at].Trim());
                string value = ValidValue(req[(at + op.Length)..].Trim());
                return op == "!=" ? l => !l.TryGetValue(key, out string? v) || v != value : l => l.TryGetValue(key, out string? v) && v == value;
            }
        }
        foreach (string op in new[] { ">", "<" })
        {
            int at = req.IndexOf(op, StringComparison.Ordinal);
            if (at > 0)
            {
                string key = ValidKey(req[..at].Trim());
                if (!long.TryParse(req[(at + 1)..].Trim(), out long bound))
                    throw Errors.BadRequest($"unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer");
                return op == ">"
                    ? l => l.TryGetValue(key, out string? v) && long.TryParse(v, out long n) && n > bound
                    : l => l.TryGetValue(key, out string? v) && long.TryParse(v, out long n) && n < bound;
            }
        }
        string[] parts = req.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 1) { string key = ValidKey(parts[0]); return l => l.ContainsKey(key); }
        string rest = parts[1].TrimStart();
        bool notIn = rest.StartsWith("notin", StringComparison.Ordinal);
        if (!notIn && !rest.StartsWith("in", StringComparison.Ordinal))
            throw Errors.BadRequest($"unable to parse requirement: found '{rest.Split(' ')[0]}', expected: in, notin, =, ==, !=, gt, lt");
        string list = rest[(notIn ? 5 : 2)..].Trim();
        if (!list.StartsWith('(') || !list.EndsWith(')'))
            throw Errors.BadRequest($"unable to parse requirement: found '{list}', expected: '('");
        string k = ValidKey(parts[0]);
        HashSet<string> values = list[1..^1].Split(',').Select(v => ValidValue(v.Trim())).ToHashSet();
        return notIn ? l => !l.TryGetValue(k, out string? v) || !values.Contains(v) : l => l.TryGetValue(k, out string? v) && values.Contains(v);
    }

    private static string ValidKey(string key)
    {
        string name = key.Contains('/') ? key[(key.IndexOf('/') + 1)..] : key;
        if (name.Length == 0 || name.Length > 63 || !IsLabelChars(name, allowEmpty: false))
            throw Errors.BadRequest($"unable to parse requirement: values[0][{key}]: Invalid value: \"{key}\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
        return key;
    }

    private static string ValidValue(string value)
    {
        if (value.Length > 63 || !IsLabelChars(value, allowEmpty: true))
            throw Errors.BadRequest($"unable to parse requirement: values[0]: Invalid value: \"{value}\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
        return value;
    }

    private static bool IsLabelChars(string s, bool allowEmpty)
    {
        if (s.Length == 0) return allowEmpty;
        if (!char.IsAsciiLetterOrDigit(s[0]) || !char.IsAsciiLetterOrDigit(s[^1])) return false;
        return s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
    }
}

/// <summary>A field selector: metadata.name and metadata.namespace everywhere, plus the type's extra fields.</summary>
internal sealed class FieldSelector
{
    private readonly List<(string Field, string? Path, string Value, bool Negate)> _terms = [];

    public static FieldSelector Parse(string? text, ResourceType type)
    {
        FieldSelector s = new();
        if (string.IsNullOrWhiteSpace(text)) return s;
        foreach (string raw in text.Split(','))
        {
            string term = raw.Trim();
            string field, value;
            bool negate = false;
            int at;
            if ((at = term.IndexOf("!=", StringComparison.Ordinal)) > 0) { field = term[..at]; value = term[(at + 2)..]; negate = true; }
            else if ((at = term.IndexOf("==", StringComparison.Ordinal)) > 0) { field = term[..at]; value = term[(at + 2)..]; }
            else if ((at = term.IndexOf('=')) > 0) { field = term[..at]; value = term[(at + 1)..]; }
            else
            {
                throw Errors.BadRequest($"invalid selector: '{text}'; can't understand '{term}'");
            }

            field = field.Trim();
            string? path = field switch
            {
                "metadata.name" or "metadata.namespace" => null,
                _ when type.ExtraFieldSelectors.TryGetValue(field, out string? p) => p,
                _ => throw Errors.BadRequest($"field label not supported: {field}"),
            };
            s._terms.Add((field, path, value.Trim(), negate));
        }
        return s;
    }

    public bool IsEmpty => _terms.Count == 0;

    /// <summary>The single metadata.name=X term, if that is all the selector says (lets get -w skip a scan).</summary>
    public bool NeedsObject => _terms.Any(t => t.Path != null);

    public bool Matches(StoredObject o)
    {
        JsonObject? parsed = null;
        foreach ((string? field, string? path, string? value, bool negate) in _terms)
        {
            string actual;
            if (field == "metadata.name")
            {
                actual = o.Name;
            }
            else if (field == "metadata.namespace")
            {
                actual = o.Namespace ?? "";
            }
            else
            {
                parsed ??= o.ToJson();
                actual = JsonPathLite.Evaluate(parsed, path!)?.ToString() ?? "";
            }
            if ((actual == value) == negate) return false;
        }
        return true;
    }
}
