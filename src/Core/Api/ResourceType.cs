namespace VmSnapshot.Core.Api;

/// <summary>A Kubernetes resource type: API group, version, plural and kind.</summary>
public sealed record ResourceType(string Group, string Version, string Plural, string Kind)
{
    /// <summary>KubeVirt's VM snapshots. v1beta1 is the storage version since KubeVirt 1.3.</summary>
    public static ResourceType VirtualMachineSnapshot { get; } =
        new("snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots", "VirtualMachineSnapshot");

    /// <summary>What a VM snapshot holds: the VM spec and the volume backups.</summary>
    public static ResourceType VirtualMachineSnapshotContent { get; } =
        new("snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshotcontents", "VirtualMachineSnapshotContent");

    /// <summary>Restores of a VM snapshot onto the same or a new VM.</summary>
    public static ResourceType VirtualMachineRestore { get; } =
        new("snapshot.kubevirt.io", "v1beta1", "virtualmachinerestores", "VirtualMachineRestore");

    /// <summary>Clones of a VM or of a VM snapshot (v1beta1 since KubeVirt 1.5).</summary>
    public static ResourceType VirtualMachineClone { get; } =
        new("clone.kubevirt.io", "v1beta1", "virtualmachineclones", "VirtualMachineClone");

    /// <summary>KubeVirt virtual machines.</summary>
    public static ResourceType VirtualMachine { get; } =
        new("kubevirt.io", "v1", "virtualmachines", "VirtualMachine");

    /// <summary>Running instances of KubeVirt virtual machines (guest-agent conditions, OS info).</summary>
    public static ResourceType VirtualMachineInstance { get; } =
        new("kubevirt.io", "v1", "virtualmachineinstances", "VirtualMachineInstance");

    /// <summary>Multus secondary networks (the networkName a VM's multus network points at).</summary>
    public static ResourceType NetworkAttachmentDefinition { get; } =
        new("k8s.cni.cncf.io", "v1", "network-attachment-definitions", "NetworkAttachmentDefinition");

    /// <summary>CDI DataVolumes: the import or clone that fills a claim (spec.dataVolumeTemplates of a VM).</summary>
    public static ResourceType DataVolume { get; } =
        new("cdi.kubevirt.io", "v1beta1", "datavolumes", "DataVolume");

    /// <summary>Namespaces of the core API group (cluster-scoped).</summary>
    public static ResourceType Namespace { get; } =
        new("", "v1", "namespaces", "Namespace");

    /// <summary>Claims of the core API group (read through <see cref="RawApi"/>: the custom-object client needs a group).</summary>
    public static ResourceType PersistentVolumeClaim { get; } =
        new("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim");

    /// <summary>CSI VolumeSnapshots: KubeVirt makes one per captured volume, owned by the VirtualMachineSnapshotContent.</summary>
    public static ResourceType VolumeSnapshot { get; } =
        new("snapshot.storage.k8s.io", "v1", "volumesnapshots", "VolumeSnapshot");

    /// <summary>"plural.group", the form the API server uses in its messages.</summary>
    public string QualifiedPlural => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
}
