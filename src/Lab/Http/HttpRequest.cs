using System.Text;

namespace VmSnapshot.Lab.Http;

/// <summary>One parsed HTTP/1.1 request with its whole body already read.</summary>
internal sealed class HttpRequest
{
    public required string Method { get; init; }
    /// <summary>The request target as sent (path and query, still percent-encoded).</summary>
    public required string Target { get; init; }
    /// <summary>The decoded path, without the query.</summary>
    public required string Path { get; init; }
    public required Dictionary<string, string> Headers { get; init; }
    public required QueryString Query { get; init; }
    public byte[] Body { get; init; } = [];
    public bool KeepAlive { get; init; } = true;

    public string? Header(string name) => Headers.TryGetValue(name, out string? v) ? v : null;

    /// <summary>The media type of the body without parameters, lower case ("application/json").</summary>
    public string MediaType
    {
        get
        {
            string ct = Header("Content-Type") ?? "";
            int semi = ct.IndexOf(';');
            return (semi >= 0 ? ct[..semi] : ct).Trim().ToLowerInvariant();
        }
    }

    public string BodyText => Encoding.UTF8.GetString(Body);
}

/// <summary>Query parameters; a key may repeat (dryRun=All&amp;dryRun=All).</summary>
internal sealed class QueryString
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    public static QueryString Parse(string query)
    {
        QueryString q = new();
        foreach (string part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=');
            string key = Uri.UnescapeDataString((eq >= 0 ? part[..eq] : part).Replace('+', ' '));
            string value = eq >= 0 ? Uri.UnescapeDataString(part[(eq + 1)..].Replace('+', ' ')) : "";
            if (!q._values.TryGetValue(key, out List<string>? list)) q._values[key] = list = [];
            list.Add(value);
        }
        return q;
    }

    public string? this[string key] => _values.TryGetValue(key, out List<string>? l) && l.Count > 0 ? l[0] : null;
    public IReadOnlyList<string> All(string key) => _values.TryGetValue(key, out List<string>? l) ? l : [];
    public bool Has(string key) => _values.ContainsKey(key);

    /// <summary>Parses a bool the way Go's strconv.ParseBool does (python sends "True").</summary>
    public bool? Bool(string key) => this[key] switch
    {
        null => null,
        "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
        "0" or "f" or "F" or "false" or "FALSE" or "False" or "" => false,
        _ => null,
    };
}
