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

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

    /// <summary>The media type of the body without parameters, lower case ("application/json").</summary>
    public string MediaType
    {
        get
        {
            var ct = Header("Content-Type") ?? "";
            var semi = ct.IndexOf(';');
            return (semi >= 0 ? ct[..semi] : ct).Trim().ToLowerInvariant();
        }
    }

    public string BodyText => Encoding.UTF8.GetString(Body);
}

/// <summary>Query parameters; a key may repeat (dryRun=All&amp;dryRun=All).</summary>
internal sealed class QueryString
{
    private readonly Dictionary<string, List<string>> values = new(StringComparer.Ordinal);

    public static QueryString Parse(string query)
    {
        var q = new QueryString();
        foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            var key = Uri.UnescapeDataString((eq >= 0 ? part[..eq] : part).Replace('+', ' '));
            var value = eq >= 0 ? Uri.UnescapeDataString(part[(eq + 1)..].Replace('+', ' ')) : "";
            if (!q.values.TryGetValue(key, out var list)) q.values[key] = list = [];
            list.Add(value);
        }
        return q;
    }

    public string? this[string key] => values.TryGetValue(key, out var l) && l.Count > 0 ? l[0] : null;
    public IReadOnlyList<string> All(string key) => values.TryGetValue(key, out var l) ? l : [];
    public bool Has(string key) => values.ContainsKey(key);

    /// <summary>Parses a bool the way Go's strconv.ParseBool does (python sends "True").</summary>
    public bool? Bool(string key) => this[key] switch
    {
        null => null,
        "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
        "0" or "f" or "F" or "false" or "FALSE" or "False" or "" => false,
        _ => null,
    };
}
