using System.Collections;
using System.Management.Automation;
using VmSnapshot.Core.Api;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>The -Label @{ key = 'value' } parameter of the list commands, as a server-side label selector.</summary>
internal static class LabelParameter
{
    /// <summary>The selector for a -Label hashtable (null when none), or an InvalidLabel error for a bad key or value.</summary>
    public static string? ToSelector(Hashtable? label, out ErrorRecord? error) =>
        ToPairs(label, out error) is { } pairs ? LabelSelector.Equality(pairs) : null;

    /// <summary>The checked key/value pairs of a -Label hashtable (null when none or invalid; then error says why).</summary>
    public static IReadOnlyDictionary<string, string>? ToPairs(Hashtable? label, out ErrorRecord? error)
    {
        error = null;
        if (label is null || label.Count == 0)
        {
            return null;
        }

        try
        {
            Dictionary<string, string> pairs = label.Cast<DictionaryEntry>().ToDictionary(e => Text(e.Key), e => Text(e.Value), StringComparer.Ordinal);
            LabelSelector.Equality(pairs);
            return pairs;
        }
        catch (ArgumentException e)
        {
            error = ErrorRecords.Create(e, ErrorIds.InvalidLabel, ErrorCategory.InvalidArgument, label,
                "Label keys and values are letters, digits, '-', '_' and '.' (at most 63 characters), e.g. @{ app = 'web' }.");
            return null;
        }
    }

    private static string Text(object? value) => LanguagePrimitives.ConvertTo<string>(
        value is PSObject wrapped ? wrapped.BaseObject : value) ?? string.Empty;
}
