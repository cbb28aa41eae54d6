namespace VmSnapshot.Core.Clones;

/// <summary>Everything New-VMClone sends for one clone.</summary>
public sealed record CloneRequest(
    string Name,
    string Namespace,
    string SourceKind,
    string SourceName,
    string TargetName,
    IReadOnlyList<string> LabelFilters,
    IReadOnlyList<string> AnnotationFilters,
    IReadOnlyDictionary<string, string> NewMacAddresses,
    string? NewSMBiosSerial,
    IReadOnlyList<string> Patches)
{
    public const string VirtualMachineKind = "VirtualMachine";
    public const string SnapshotKind = "VirtualMachineSnapshot";
}
