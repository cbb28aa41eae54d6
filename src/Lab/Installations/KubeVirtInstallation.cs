using VmSnapshot.Lab.Admission;
using VmSnapshot.Lab.Api;
using VmSnapshot.Lab.Controllers;
using VmSnapshot.Lab.Controllers.Subresources;
using VmSnapshot.Lab.Store;
using VmSnapshot.Lab.Time;

namespace VmSnapshot.Lab.Installations;

/// <summary>
/// KubeVirt as virt-operator installs it: the CRDs (pkg/virt-operator/resource/generate/components/crds.go: names,
/// versions, printer columns; the lab's validation schemas are the embedded kubevirt-crd-validation-*.yaml, which carry
/// no printer columns, so the columns live here), the validating and mutating webhooks of virt-api
/// (pkg/virt-api/webhooks), the aggregated subresources.kubevirt.io API behind its APIService, and the controllers.
/// The lab's controller host also runs what the other add-ons' controllers do (CDI import, the CSI snapshotter, the
/// PV binder), since they are started and stopped together.
/// </summary>
internal static class KubeVirtInstallation
{
    private static readonly string[] s_verbs = ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"];
    private static readonly PrinterColumn s_age = PrinterColumn.Age;

    private static PrinterColumn Col(string name, string type, string path, int priority = 0) => new(name, type, path, priority);

    private static readonly Dictionary<string, string> s_deprecatedV1alpha3 = new()
    {
        ["v1alpha3"] = "kubevirt.io/v1alpha3 is now deprecated and will be removed in a future release.",
    };

    /// <summary>The CRDs; before the store is built.</summary>
    public static void Register(ResourceCatalog catalog)
    {
        // kubevirt.io v1 (storage) and v1alpha3 (served, deprecated with a warning): api/core/v1/register.go,
        // ApiSupportedVersions.
        catalog.Register(new ResourceType
        {
            Group = "kubevirt.io", Versions = ["v1", "v1alpha3"], DeprecatedVersions = s_deprecatedV1alpha3, Kind = "VirtualMachine", Plural = "virtualmachines", Singular = "virtualmachine",
            ShortNames = ["vm", "vms"], Categories = ["all"], Verbs = s_verbs,
            Columns = [s_age, Col("Status", "string", ".status.printableStatus"), Col("Ready", "string", ".status.conditions[?(@.type=='Ready')].status")],
        });
        catalog.Register(new ResourceType
        {
            Group = "kubevirt.io", Versions = ["v1", "v1alpha3"], DeprecatedVersions = s_deprecatedV1alpha3, Kind = "VirtualMachineInstance", Plural = "virtualmachineinstances", Singular = "virtualmachineinstance",
            ShortNames = ["vmi", "vmis"], Categories = ["all"], Verbs = s_verbs,
            Columns =
            [
                s_age, Col("Phase", "string", ".status.phase"), Col("IP", "string", ".status.interfaces[0].ipAddress"),
                Col("NodeName", "string", ".status.nodeName"), Col("Ready", "string", ".status.conditions[?(@.type=='Ready')].status"),
                Col("Live-Migratable", "string", ".status.conditions[?(@.type=='LiveMigratable')].status", 1),
                Col("Paused", "string", ".status.conditions[?(@.type=='Paused')].status", 1),
            ],
        });
        catalog.Register(new ResourceType
        {
            Group = "kubevirt.io", Versions = ["v1", "v1alpha3"], DeprecatedVersions = s_deprecatedV1alpha3, Kind = "KubeVirt", Plural = "kubevirts", Singular = "kubevirt",
            ShortNames = ["kv", "kvs"], Categories = ["all"], Verbs = s_verbs,
            Columns = [s_age, Col("Phase", "string", ".status.phase")],
        });
        // snapshot.kubevirt.io v1beta1 (storage) and v1alpha1 (served)
        catalog.Register(new ResourceType
        {
            Group = "snapshot.kubevirt.io", Versions = ["v1beta1", "v1alpha1"], Kind = "VirtualMachineSnapshot", Plural = "virtualmachinesnapshots",
            Singular = "virtualmachinesnapshot", ShortNames = ["vmsnapshot", "vmsnapshots"], Categories = ["all"],
            SchemaFile = "kubevirt-crd-validation-virtualmachinesnapshot.yaml",
            Columns =
            [
                Col("SourceKind", "string", ".spec.source.kind"), Col("SourceName", "string", ".spec.source.name"),
                Col("Phase", "string", ".status.phase"), Col("ReadyToUse", "boolean", ".status.readyToUse"),
                Col("CreationTime", "date", ".status.creationTime"), Col("Error", "string", ".status.error.message"),
            ],
        });
        catalog.Register(new ResourceType
        {
            Group = "snapshot.kubevirt.io", Versions = ["v1beta1", "v1alpha1"], Kind = "VirtualMachineSnapshotContent", Plural = "virtualmachinesnapshotcontents",
            Singular = "virtualmachinesnapshotcontent", ShortNames = ["vmsnapshotcontent", "vmsnapshotcontents"], Categories = ["all"],
            SchemaFile = "kubevirt-crd-validation-virtualmachinesnapshotcontent.yaml",
            Columns = [Col("ReadyToUse", "boolean", ".status.readyToUse"), Col("CreationTime", "date", ".status.creationTime"), Col("Error", "string", ".status.error.message")],
        });
        catalog.Register(new ResourceType
        {
            Group = "snapshot.kubevirt.io", Versions = ["v1beta1", "v1alpha1"], Kind = "VirtualMachineRestore", Plural = "virtualmachinerestores",
            Singular = "virtualmachinerestore", ShortNames = ["vmrestore", "vmrestores"], Categories = ["all"],
            SchemaFile = "kubevirt-crd-validation-virtualmachinerestore.yaml",
            Columns =
            [
                Col("TargetKind", "string", ".spec.target.kind"), Col("TargetName", "string", ".spec.target.name"),
                Col("Complete", "boolean", ".status.complete"), Col("RestoreTime", "date", ".status.restoreTime"),
                Col("Error", "string", ".status.error.message"),
            ],
        });
        // clone.kubevirt.io v1beta1 (storage) and v1alpha1
        catalog.Register(new ResourceType
        {
            Group = "clone.kubevirt.io", Versions = ["v1beta1", "v1alpha1"], Kind = "VirtualMachineClone", Plural = "virtualmachineclones",
            Singular = "virtualmachineclone", ShortNames = ["vmclone", "vmclones"], Categories = ["all"],
            SchemaFile = "kubevirt-crd-validation-virtualmachineclone.yaml",
            Columns = [Col("Phase", "string", ".status.phase"), Col("SourceVirtualMachine", "string", ".spec.source.name"), Col("TargetVirtualMachine", "string", ".spec.target.name")],
        });
    }

    /// <summary>
    /// Webhooks, the aggregated API and the controllers, once the store holds the scenario. Returns the running host,
    /// or null when controllers are off (then there are no webhooks or subresources either, as before KubeVirt is up).
    /// </summary>
    public static ControllerHost? Start(LabStore store, LabClock clock, ControllerSettings settings, bool runControllers)
    {
        if (!runControllers) return null;
        ControllerHost host = new(store, clock, settings);
        store.Admission.Register(new VirtualMachineWebhook());
        store.Admission.Register(new VirtualMachineSnapshotWebhook(store, settings.KubeVirt));
        store.Admission.Register(new VirtualMachineRestoreWebhook(store, settings.KubeVirt));
        store.Admission.Register(new VirtualMachineCloneWebhook(store, settings.KubeVirt));
        store.AggregatedApis.Register(new KubeVirtSubresourceApi(host));
        host.Start();
        // A new lab answers with reconciled state (volumeSnapshotStatuses, finalizers, agents), as a settled cluster would.
        host.WaitForIdle(TimeSpan.FromSeconds(10));
        return host;
    }

    public static void Stop(LabStore store, ControllerHost? host)
    {
        host?.Dispose();
        store.Admission.Clear();
        store.AggregatedApis.Clear();
    }
}
