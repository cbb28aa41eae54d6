using System.Collections;
using System.Management.Automation;
using System.Text.Json.Nodes;
using VmSnapshot.Lab.Faults;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// Reads a -Rule hashtable as the LabSettings rule it stands for, through the lab's own parser (one set of rules and
/// messages for YAML and PowerShell). Keys match case-insensitively, as PowerShell's do.
/// </summary>
internal static class FaultRuleParameter
{
    /// <summary>The rule, or a FormatException naming <paramref name="where"/> and what to fix.</summary>
    public static FaultRule Parse(Hashtable table, string where)
    {
        JsonObject json = new(new JsonNodeOptions { PropertyNameCaseInsensitive = true });
        foreach (DictionaryEntry entry in table)
        {
            json[entry.Key.ToString()!] = ToNode(entry.Value);
        }

        return FaultRule.Parse(json, where);
    }

    private static JsonNode? ToNode(object? value) => (value is PSObject ps ? ps.BaseObject : value) switch
    {
        null => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        TimeSpan t => JsonValue.Create($"{(long)t.TotalMilliseconds}ms"),
        IEnumerable list => new JsonArray(list.Cast<object?>().Select(ToNode).ToArray()),
        IConvertible number => JsonValue.Create(Convert.ToDouble(number, System.Globalization.CultureInfo.InvariantCulture)),
        { } other => JsonValue.Create(other.ToString()),
    };
}
