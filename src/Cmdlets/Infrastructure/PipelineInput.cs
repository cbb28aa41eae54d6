using System.Management.Automation;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>What a piped object stands for.</summary>
internal enum PipelineInputKind
{
    /// <summary>A snapshot (a KubeVirtVMSnapshot, or an object typed as one: a mock, a deserialized object).</summary>
    Snapshot,

    /// <summary>A VM: anything with a VMName, such as Get-KubeVirtVM's objects.</summary>
    VM,

    /// <summary>A plain name.</summary>
    Name,

    /// <summary>None of these.</summary>
    Unknown,
}

/// <summary>
/// Decides per object, by its type, what a piped object is. PowerShell's own by-property-name binding cannot be used
/// for this: a snapshot also has a VMName, and binding it as a VM would select every snapshot of that VM.
/// </summary>
internal readonly record struct PipelineInput(PipelineInputKind Kind, string Name, string? Namespace, KubeVirtVMSnapshot? Snapshot)
{
    public static PipelineInput Classify(PSObject item)
    {
        string? @namespace = item.Properties["Namespace"]?.Value as string is { Length: > 0 } ns ? ns : null;
        switch (item.BaseObject)
        {
            case KubeVirtVMSnapshot snapshot:
                return new(PipelineInputKind.Snapshot, snapshot.Name, snapshot.Namespace, snapshot);
            case string name:
                return new(PipelineInputKind.Name, name, null, null);
        }

        if (item.TypeNames.Any(t => t.EndsWith("VmSnapshot.KubeVirtVMSnapshot", StringComparison.Ordinal)) &&
            item.Properties["Name"]?.Value is string snapshotName)
        {
            return new(PipelineInputKind.Snapshot, snapshotName, @namespace, null);
        }

        return item.Properties["VMName"]?.Value is string vmName && vmName.Length > 0
            ? new(PipelineInputKind.VM, vmName, @namespace, null)
            : new(PipelineInputKind.Unknown, string.Empty, @namespace, null);
    }
}
