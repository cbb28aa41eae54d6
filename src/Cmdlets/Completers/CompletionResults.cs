using System.Management.Automation;
using System.Management.Automation.Language;

namespace VmSnapshot.Commands.Completers;

/// <summary>
/// Turns candidate names into completion results the way PowerShell's own completers do: names that start with the
/// word typed (case-insensitive, wildcards allowed), sorted, each once, quoted when the command line needs it.
/// </summary>
internal static class CompletionResults
{
    /// <summary>The results for <paramref name="wordToComplete"/>; a candidate's tooltip defaults to its name.</summary>
    public static IEnumerable<CompletionResult> For(string? wordToComplete,
        IEnumerable<(string Value, string? ToolTip)> candidates)
    {
        string word = wordToComplete ?? string.Empty;
        char? quote = word.Length > 0 && word[0] is '\'' or '"' ? word[0] : null;
        string typed = quote is null ? word : word.Trim(quote.Value);
        Func<string, bool> matches = Matcher(typed);
        return candidates
            .Where(c => matches(c.Value))
            .GroupBy(c => c.Value, StringComparer.Ordinal)
            .Select(g => g.First())
            .OrderBy(c => c.Value, StringComparer.OrdinalIgnoreCase)
            .Select(c => new CompletionResult(Quote(c.Value, quote), c.Value, CompletionResultType.ParameterValue,
                string.IsNullOrEmpty(c.ToolTip) ? c.Value : c.ToolTip))
            .ToArray();
    }

    private static Func<string, bool> Matcher(string typed)
    {
        if (WildcardPattern.ContainsWildcardCharacters(typed))
        {
            try
            {
                WildcardPattern pattern = WildcardPattern.Get(typed + "*", WildcardOptions.IgnoreCase);
                _ = pattern.IsMatch(string.Empty); // an unfinished pattern ("vm[") throws here, not per name
                return pattern.IsMatch;
            }
            catch (WildcardPatternException)
            {
                // Fall back to a plain prefix.
            }
        }

        return name => name.StartsWith(typed, StringComparison.OrdinalIgnoreCase);
    }

    private static string Quote(string value, char? typedQuote)
    {
        if (typedQuote == '"')
        {
            return $"\"{value.Replace("`", "``", StringComparison.Ordinal).Replace("$", "`$", StringComparison.Ordinal).Replace("\"", "`\"", StringComparison.Ordinal)}\"";
        }

        bool needsQuotes = typedQuote == '\'' || value.Length == 0 ||
            value.Any(c => char.IsWhiteSpace(c) || "'\"`$&@(){}[];,|<>#".Contains(c, StringComparison.Ordinal));
        return needsQuotes ? $"'{CodeGeneration.EscapeSingleQuotedStringContent(value)}'" : value;
    }
}
