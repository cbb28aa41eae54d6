using System.Collections;
using System.Management.Automation;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// Lets Set-KubeVirtLabFault -Rule take what an admin types besides a hashtable: a fault's name alone ('throttle', the
/// rule @{ fault = 'throttle' }), and objects with the rule's keys as properties (ConvertFrom-Json). Anything else
/// reaches the cmdlet as a <see cref="FaultRuleText"/>, so it is refused with the module's InvalidFaultRule and a
/// message that shows what a rule looks like, instead of PowerShell's "Cannot convert ... to Hashtable".
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class FaultRuleTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc/>
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        return value is IEnumerable items and not string and not IDictionary
            ? items.Cast<object?>().Select(ToRule).ToArray()
            : ToRule(inputData)!;   // null stays null: the binder refuses it as it did
    }

    private static object? ToRule(object? item)
    {
        object? value = item is PSObject wrapped ? wrapped.BaseObject : item;
        switch (value)
        {
            case null or Hashtable:
                return value;
            case IDictionary dictionary:
                return new Hashtable(dictionary, StringComparer.OrdinalIgnoreCase);
            case PSCustomObject:
                Hashtable table = new(StringComparer.OrdinalIgnoreCase);
                foreach (PSPropertyInfo property in PSObject.AsPSObject(item!).Properties)
                {
                    table[property.Name] = property.Value;
                }

                return table;
            default:
                return new FaultRuleText(value.ToString() ?? "");
        }
    }
}

/// <summary>
/// A -Rule given as text (or as something else that is not a rule, by its text): the rule @{ fault = text }. When the
/// text is no fault's name the cmdlet says what a rule looks like.
/// </summary>
public sealed class FaultRuleText : Hashtable
{
    public FaultRuleText(string text)
        : base(StringComparer.OrdinalIgnoreCase)
    {
        Text = text;
        this["fault"] = text;
    }

    public string Text { get; }
}
