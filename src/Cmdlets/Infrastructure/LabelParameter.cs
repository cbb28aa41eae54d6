using System.Collections;
using System.Management.Automation;
using VmSnapshot.Core.Api;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>The -Label @{ key = 'value' } parameter of the list commands, as a server-side label selector.</summary>
internal static class LabelParameter
{
    /// <summary>The selector for a -Label hashtable (null when none), or an InvalidLabel error for a bad key or value.</summary>
    public static string? ToSelector(Hashtable? label, out ErrorRecord? error)
    {
        error = null;
        if (label is null || label.Count == 0)
        {
            return null;
        }

        try
        {
            return LabelSelector.Equality(label.Cast<DictionaryEntry>()
                .Select(e => new KeyValuePair<string, string>(Text(e.Key), Text(e.Value))));
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
