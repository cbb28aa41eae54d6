using System.Management.Automation;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// A set of -Name values, some literal and some wildcards. Kubernetes names are lower-case DNS labels, so matching
/// ignores case. Literal names are tracked so a miss can be reported (Get-Process style) while a wildcard that
/// matches nothing stays silent.
/// </summary>
internal sealed class NameFilter
{
    private readonly WildcardPattern[] _patterns;

    /// <summary>Names were given but all were empty: that selects nothing, never everything.</summary>
    private readonly bool _matchesNothing;

    public NameFilter(IEnumerable<string>? names)
    {
        string[] given = names?.ToArray() ?? Array.Empty<string>();
        string[] all = given.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => n.Trim()).ToArray();
        _matchesNothing = given.Length > 0 && all.Length == 0;
        Literals = all.Where(n => !WildcardPattern.ContainsWildcardCharacters(n))
            .Select(n => n.ToLowerInvariant()).Distinct().ToArray();
        _patterns = all.Where(WildcardPattern.ContainsWildcardCharacters)
            .Select(n => WildcardPattern.Get(n, WildcardOptions.IgnoreCase)).ToArray();
        IsEmpty = given.Length == 0;
    }

    /// <summary>No names given: everything matches.</summary>
    public bool IsEmpty { get; }

    /// <summary>The names without wildcard characters, lower-cased as Kubernetes stores them.</summary>
    public IReadOnlyList<string> Literals { get; }

    /// <summary>True when every name is literal (so they can be fetched one by one instead of listing).</summary>
    public bool OnlyLiterals => !IsEmpty && _patterns.Length == 0;

    public bool IsMatch(string name) =>
        !_matchesNothing &&
        (IsEmpty || Literals.Contains(name, StringComparer.OrdinalIgnoreCase) || _patterns.Any(p => p.IsMatch(name)));
}
