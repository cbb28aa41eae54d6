using System.Collections;
using System.Management.Automation;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>
/// A name parameter that takes pipeline input by value: PowerShell would turn any piped object into its text (a process
/// becomes "System.Diagnostics.Process (pwsh)") and the command would then refuse a strange "name". This refuses the
/// object as what it is instead. Objects with a VM name (Get-KubeVirtVM's) bind by property name and never get here
/// as objects.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NamesOnlyTransformationAttribute : ArgumentTransformationAttribute
{
    private readonly string[] _boundByProperty;

    /// <summary>
    /// <paramref name="boundByProperty"/>: the property names this parameter binds from by property name. An object
    /// with one of them is left to that binding (the binder tries by value first, and a refusal here would stop it).
    /// </summary>
    public NamesOnlyTransformationAttribute(params string[] boundByProperty) => _boundByProperty = boundByProperty;

    /// <inheritdoc/>
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (value is string or null)
        {
            return inputData!;
        }

        PSObject asObject = PSObject.AsPSObject(inputData);
        if (_boundByProperty.Any(name => asObject.Properties[name] is not null))
        {
            return inputData;
        }

        if (value is IEnumerable items)
        {
            foreach (object? item in items)
            {
                Check(item is PSObject inner ? inner.BaseObject : item);
            }

            return inputData;
        }

        Check(value);
        return inputData;
    }

    private static void Check(object? item)
    {
        if (item is not (string or null))
        {
            throw new ArgumentTransformationMetadataException(
                $"A {item.GetType().FullName} is not a name. Pipe VMs from Get-KubeVirtVM, snapshots from Get-VMSnapshot, or names (strings).");
        }
    }
}
