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
    /// <summary>Other output types of this module: they carry a VMName too, but are not VMs.</summary>
    private static readonly string[] s_notVms = { "VmSnapshot.KubeVirtVMRestore", "VmSnapshot.KubeVirtVMClone", "VmSnapshot.KubeVirtLabInfo" };

    public static PipelineInput Classify(PSObject item)
    {
        string? @namespace = item.Properties["Namespace"]?.Value as string is { Length: > 0 } ns ? ns : null;
        PipelineInput unknown = new(PipelineInputKind.Unknown, string.Empty, @namespace, null);
        switch (item.BaseObject)
        {
            case KubeVirtVMSnapshot snapshot:
                return string.IsNullOrWhiteSpace(snapshot.Name) ? unknown : new(PipelineInputKind.Snapshot, snapshot.Name, snapshot.Namespace, snapshot);
            case string name:
                // An empty line from a file is not "every snapshot": it names nothing.
                return string.IsNullOrWhiteSpace(name) ? unknown : new(PipelineInputKind.Name, name.Trim(), null, null);
        }

        if (item.TypeNames.Any(t => s_notVms.Any(type => t.EndsWith(type, StringComparison.Ordinal))))
        {
            return unknown;
        }

        if (item.TypeNames.Any(t => t.EndsWith("VmSnapshot.KubeVirtVMSnapshot", StringComparison.Ordinal)))
        {
            return item.Properties["Name"]?.Value is string snapshotName && !string.IsNullOrWhiteSpace(snapshotName)
                ? new(PipelineInputKind.Snapshot, snapshotName, @namespace, null)
                : unknown;
        }

        return item.Properties["VMName"]?.Value is string vmName && !string.IsNullOrWhiteSpace(vmName)
            ? new(PipelineInputKind.VM, vmName, @namespace, null)
            : unknown;
    }
}
