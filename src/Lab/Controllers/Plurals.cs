namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// The resources the emulated controllers read and write, by the plural the store and the API use. One place, so a
/// controller reads in KubeVirt's vocabulary and a typo is a compile error, not an empty list.
/// </summary>
internal static class Plurals
{
    // kubevirt.io, snapshot.kubevirt.io, clone.kubevirt.io
    public const string VirtualMachines = "virtualmachines";
    public const string VirtualMachineInstances = "virtualmachineinstances";
    public const string VirtualMachineSnapshots = "virtualmachinesnapshots";
    public const string VirtualMachineSnapshotContents = "virtualmachinesnapshotcontents";
    public const string VirtualMachineRestores = "virtualmachinerestores";
    public const string VirtualMachineClones = "virtualmachineclones";

    // cdi.kubevirt.io
    public const string DataVolumes = "datavolumes";

    // snapshot.storage.k8s.io (external-snapshotter)
    public const string VolumeSnapshots = "volumesnapshots";
    public const string VolumeSnapshotContents = "volumesnapshotcontents";
    public const string VolumeSnapshotClasses = "volumesnapshotclasses";

    // core/v1 and storage.k8s.io
    public const string PersistentVolumeClaims = "persistentvolumeclaims";
    public const string PersistentVolumes = "persistentvolumes";
    public const string StorageClasses = "storageclasses";
    public const string Events = "events";
    public const string Pods = "pods";
}
