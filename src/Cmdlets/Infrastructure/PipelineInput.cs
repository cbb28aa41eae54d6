using System.Management.Automation;

namespace VmSnapshot.Commands.Infrastructure;

/// <summary>What a piped object stands for.</summary>
internal enum PipelineInputKind
{
    /// <summary>
    /// A snapshot: a KubeVirtVMSnapshot, an object typed as one (a mock, a deserialized object), or a row with a Name
    /// and a VMName and none of a VM object's own properties (a snapshot back from Import-Csv or ConvertFrom-Json).
    /// </summary>
    Snapshot,

    /// <summary>A VM: Get-KubeVirtVM's objects (also as rows), or anything with a VMName and no Name.</summary>
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
/// <param name="VMName">For a snapshot known only by its name: the VM it belongs to, when the object said so.</param>
internal readonly record struct PipelineInput(PipelineInputKind Kind, string Name, string? Namespace, KubeVirtVMSnapshot? Snapshot,
    string? VMName = null)
{
    /// <summary>Other output types of this module: they carry a VMName too, but are not VMs.</summary>
    private static readonly string[] s_notVms = { "VmSnapshot.KubeVirtVMRestore", "VmSnapshot.KubeVirtVMClone", "VmSnapshot.KubeVirtLabInfo" };

    /// <summary>Properties only a VM object has (Get-KubeVirtVM's, also after Export-Csv and Import-Csv).</summary>
    private static readonly string[] s_vmOnly = { "RunStrategy", "LastSnapshot", "Volumes", "Networks", "InstanceType" };

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
                ? new(PipelineInputKind.Snapshot, snapshotName.Trim(), @namespace, null, TextOf(item, "VMName"))
                : unknown;
        }

        string? vmName = TextOf(item, "VMName");
        if (vmName is null)
        {
            return unknown;
        }

        // A snapshot that lost its type on the way (Export-Csv and Import-Csv, ConvertTo-Json and ConvertFrom-Json) is a
        // plain object with the snapshot's Name and its VMName. Read as a VM it selected every snapshot of that VM, so
        // Import-Csv | Remove-VMSnapshot deleted the reviewed snapshot's siblings too. An object with a Name stands for
        // the one snapshot of that name and VM unless it carries a VM object's own properties: a snapshot may be named
        // like its VM, and when a row could be either, the one snapshot is the reading that deletes least.
        string? recordName = TextOf(item, "Name");
        if (recordName is not null && !s_vmOnly.Any(p => item.Properties[p] is not null))
        {
            return new(PipelineInputKind.Snapshot, recordName, @namespace, null, vmName);
        }

        return new(PipelineInputKind.VM, vmName, @namespace, null);
    }

    /// <summary>A property's value as trimmed text, or null when it is missing or blank (CSV cells are all text).</summary>
    private static string? TextOf(PSObject item, string property) =>
        item.Properties[property]?.Value?.ToString()?.Trim() is { Length: > 0 } text ? text : null;
}
