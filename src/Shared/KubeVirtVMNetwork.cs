namespace VmSnapshot;

/// <summary>One network of a VM (spec.template.spec.networks[]).</summary>
public sealed class KubeVirtVMNetwork
{
    /// <summary>The network's name in the VM spec (the interface it backs has the same name).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The source: pod (the pod network) or multus; another source's field name as written.</summary>
    public string Type { get; set; } = string.Empty;

    /// <summary>The Multus networkName ("prod-net" or "ns/prod-net"); null for the pod network. New-VMClone -NetworkMap keys.</summary>
    public string? Network { get; set; }

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {Network ?? (Type == "pod" ? "pod network" : Type)}";
}
