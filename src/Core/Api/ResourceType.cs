namespace VmSnapshot.Core.Api;

/// <summary>A Kubernetes resource type: API group, version, plural and kind.</summary>
public sealed record ResourceType(string Group, string Version, string Plural, string Kind)
{
    /// <summary>KubeVirt's VM snapshots. v1beta1 is the storage version since KubeVirt 1.3.</summary>
    public static ResourceType VirtualMachineSnapshot { get; } =
        new("snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots", "VirtualMachineSnapshot");

    /// <summary>KubeVirt virtual machines.</summary>
    public static ResourceType VirtualMachine { get; } =
        new("kubevirt.io", "v1", "virtualmachines", "VirtualMachine");

    /// <summary>Running instances of KubeVirt virtual machines (guest-agent conditions, OS info).</summary>
    public static ResourceType VirtualMachineInstance { get; } =
        new("kubevirt.io", "v1", "virtualmachineinstances", "VirtualMachineInstance");

    /// <summary>"plural.group", the form the API server uses in its messages.</summary>
    public string QualifiedPlural => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
}
