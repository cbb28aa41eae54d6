namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// The clone's label/annotation filters: glob patterns ("*", "app*"), a leading "!" negates. No filters keep
/// everything; otherwise a key is kept when a positive filter matches it and no negated one does.
/// </summary>
internal static class CloneFilters
{
    public static bool Keeps(IReadOnlyList<string> filters, string key)
    {
        if (filters.Count == 0) return true;
        List<string> positive = filters.Where(f => !f.StartsWith('!')).ToList();
        List<string> negative = filters.Where(f => f.StartsWith('!')).Select(f => f[1..]).ToList();
        return (positive.Count == 0 || positive.Any(p => Glob(p, key))) && !negative.Any(n => Glob(n, key));
    }

    private static bool Glob(string pattern, string text)
        => System.Text.RegularExpressions.Regex.IsMatch(text, "^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$");
}
