namespace VmSnapshot.Core.Clones;

/// <summary>What the user asked of a clone.</summary>
/// <param name="SourceKind"><see cref="CloneRequest.VirtualMachineKind"/> or <see cref="CloneRequest.SnapshotKind"/>.</param>
/// <param name="SourceName">The VM or snapshot to clone.</param>
/// <param name="Namespace">The namespace of the source and of the new VM.</param>
/// <param name="TargetName">The new VM's name.</param>
/// <param name="NetworkMap">Multus networks to move interfaces to (old → new).</param>
/// <param name="NewMacAddresses">Give every interface a new MAC address.</param>
/// <param name="NewSMBiosSerial">Give the clone a new SMBIOS serial.</param>
/// <param name="LabelFilters">Which labels to copy (virtctl create clone --label-filter).</param>
/// <param name="AnnotationFilters">Which annotations to copy.</param>
public sealed record CloneOptions(
    string SourceKind,
    string SourceName,
    string Namespace,
    string TargetName,
    IReadOnlyDictionary<string, string> NetworkMap,
    bool NewMacAddresses,
    bool NewSMBiosSerial,
    IReadOnlyList<string> LabelFilters,
    IReadOnlyList<string> AnnotationFilters)
{
    /// <summary>For a snapshot source known by a piped row: the VM the row says it is of (the snapshot must be).</summary>
    public string? SourceVMName { get; init; }
}
