using System.Text.Json.Nodes;

namespace VmSnapshot.Lab.Api;

/// <summary>
/// The resources the lab serves, with the group, versions, names and printer columns of the real cluster
/// (KubeVirt crds.go, external-snapshotter CRDs, CDI, and the kube-apiserver built-ins).
/// </summary>
public sealed class ResourceCatalog
{
    private static readonly PrinterColumn Age = new("Age", "date", ".metadata.creationTimestamp");

    private static PrinterColumn Col(string name, string type, string path, int priority = 0) => new(name, type, path, priority);

    public IReadOnlyList<ResourceType> All { get; }

    public ResourceCatalog()
    {
        string[] kubevirtVerbs = ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"];
        All =
        [
            // core/v1
            new ResourceType
            {
                Group = "", Versions = ["v1"], Kind = "Namespace", Plural = "namespaces", Singular = "namespace", ShortNames = ["ns"],
                Namespaced = false, IsCustomResource = false, HasGeneration = false, ReturnDeletedObject = true,
                Verbs = ["create", "delete", "get", "list", "patch", "update", "watch"],
                ExtraFieldSelectors = new() { ["status.phase"] = ".status.phase" },
                Columns = [Col("Status", "string", ".status.phase") with { Description = "The status of the namespace" }, Age],
            },
            new ResourceType
            {
                Group = "", Versions = ["v1"], Kind = "PersistentVolumeClaim", Plural = "persistentvolumeclaims", Singular = "persistentvolumeclaim", ShortNames = ["pvc"],
                IsCustomResource = false, HasGeneration = false, ReturnDeletedObject = true,
                Columns =
                [
                    Col("Status", "string", ".status.phase"),
                    Col("Volume", "string", ".spec.volumeName"),
                    Col("Capacity", "string", ".status.capacity.storage"),
                    new PrinterColumn("Access Modes", "string", null) { Compute = AccessModes },
                    Col("StorageClass", "string", ".spec.storageClassName"),
                    new PrinterColumn("VolumeAttributesClass", "string", null) { Compute = o => (string?)o["spec"]?["volumeAttributesClassName"] ?? "<unset>" },
                    Age,
                    Col("VolumeMode", "string", ".spec.volumeMode", 1),
                ],
            },
            // The fake PVs the lab's binder creates (issue 4).
            new ResourceType
            {
                Group = "", Versions = ["v1"], Kind = "PersistentVolume", Plural = "persistentvolumes", Singular = "persistentvolume", ShortNames = ["pv"],
                Namespaced = false, IsCustomResource = false, HasGeneration = false, ReturnDeletedObject = true,
                Columns =
                [
                    Col("Capacity", "string", ".spec.capacity.storage"), Col("Reclaim Policy", "string", ".spec.persistentVolumeReclaimPolicy"),
                    Col("Status", "string", ".status.phase"), Col("StorageClass", "string", ".spec.storageClassName"), Age,
                ],
            },
            new ResourceType
            {
                Group = "", Versions = ["v1"], Kind = "Event", Plural = "events", Singular = "event", ShortNames = ["ev"],
                HasStatus = false, IsCustomResource = false, HasGeneration = false,
                TopLevelFields = ["action", "count", "eventTime", "firstTimestamp", "involvedObject", "lastTimestamp", "message", "reason", "related", "reportingComponent", "reportingInstance", "series", "source", "type"],
                ExtraFieldSelectors = new()
                {
                    ["involvedObject.kind"] = ".involvedObject.kind", ["involvedObject.namespace"] = ".involvedObject.namespace",
                    ["involvedObject.name"] = ".involvedObject.name", ["involvedObject.uid"] = ".involvedObject.uid",
                    ["involvedObject.apiVersion"] = ".involvedObject.apiVersion", ["involvedObject.resourceVersion"] = ".involvedObject.resourceVersion",
                    ["involvedObject.fieldPath"] = ".involvedObject.fieldPath", ["reason"] = ".reason", ["reportingComponent"] = ".reportingComponent",
                    ["source"] = ".source.component", ["type"] = ".type",
                },
                Columns =
                [
                    new PrinterColumn("Last Seen", "string", null) { Compute = o => Printing.HumanAge((string?)o["lastTimestamp"] ?? (string?)o["eventTime"] ?? (string?)o["metadata"]?["creationTimestamp"]) },
                    Col("Type", "string", ".type"),
                    Col("Reason", "string", ".reason"),
                    new PrinterColumn("Object", "string", null) { Compute = o => $"{((string?)o["involvedObject"]?["kind"])?.ToLowerInvariant()}/{(string?)o["involvedObject"]?["name"]}" },
                    Col("Message", "string", ".message"),
                ],
            },
            // storage.k8s.io/v1
            new ResourceType
            {
                Group = "storage.k8s.io", Versions = ["v1"], Kind = "StorageClass", Plural = "storageclasses", Singular = "storageclass", ShortNames = ["sc"],
                Namespaced = false, HasStatus = false, IsCustomResource = false, HasGeneration = false,
                TopLevelFields = ["provisioner", "parameters", "reclaimPolicy", "mountOptions", "allowVolumeExpansion", "volumeBindingMode", "allowedTopologies"],
                NameCell = o => (string?)o["metadata"]?["name"] + (IsDefaultClass(o) ? " (default)" : ""),
                Columns =
                [
                    Col("Provisioner", "string", ".provisioner"),
                    Col("ReclaimPolicy", "string", ".reclaimPolicy"),
                    Col("VolumeBindingMode", "string", ".volumeBindingMode"),
                    new PrinterColumn("AllowVolumeExpansion", "string", null) { Compute = o => (o["allowVolumeExpansion"]?.GetValue<bool>() ?? false) ? "true" : "false" },
                    Age,
                ],
            },
            // snapshot.storage.k8s.io/v1 (external-snapshotter CRDs)
            new ResourceType
            {
                Group = "snapshot.storage.k8s.io", Versions = ["v1"], Kind = "VolumeSnapshot", Plural = "volumesnapshots", Singular = "volumesnapshot", ShortNames = ["vs"],
                Columns =
                [
                    Col("ReadyToUse", "boolean", ".status.readyToUse"), Col("SourcePVC", "string", ".spec.source.persistentVolumeClaimName"),
                    Col("SourceSnapshotContent", "string", ".spec.source.volumeSnapshotContentName"), Col("RestoreSize", "string", ".status.restoreSize"),
                    Col("SnapshotClass", "string", ".spec.volumeSnapshotClassName"), Col("SnapshotContent", "string", ".status.boundVolumeSnapshotContentName"),
                    Col("CreationTime", "date", ".status.creationTime"), Age,
                ],
            },
            new ResourceType
            {
                Group = "snapshot.storage.k8s.io", Versions = ["v1"], Kind = "VolumeSnapshotClass", Plural = "volumesnapshotclasses", Singular = "volumesnapshotclass",
                ShortNames = ["vsclass", "vsclasses"], Namespaced = false, HasStatus = false, TopLevelFields = ["driver", "parameters", "deletionPolicy"],
                Columns = [Col("Driver", "string", ".driver"), Col("DeletionPolicy", "string", ".deletionPolicy"), Age],
            },
            new ResourceType
            {
                Group = "snapshot.storage.k8s.io", Versions = ["v1"], Kind = "VolumeSnapshotContent", Plural = "volumesnapshotcontents", Singular = "volumesnapshotcontent",
                ShortNames = ["vsc", "vscs"], Namespaced = false,
                Columns =
                [
                    Col("ReadyToUse", "boolean", ".status.readyToUse"), Col("RestoreSize", "integer", ".status.restoreSize"),
                    Col("DeletionPolicy", "string", ".spec.deletionPolicy"), Col("Driver", "string", ".spec.driver"),
                    Col("VolumeSnapshotClass", "string", ".spec.volumeSnapshotClassName"), Col("VolumeSnapshot", "string", ".spec.volumeSnapshotRef.name"),
                    Col("VolumeSnapshotNamespace", "string", ".spec.volumeSnapshotRef.namespace"), Age,
                ],
            },
            // kubevirt.io/v1
            new ResourceType
            {
                Group = "kubevirt.io", Versions = ["v1"], Kind = "VirtualMachine", Plural = "virtualmachines", Singular = "virtualmachine",
                ShortNames = ["vm", "vms"], Categories = ["all"], Verbs = kubevirtVerbs,
                Columns = [Age, Col("Status", "string", ".status.printableStatus"), Col("Ready", "string", ".status.conditions[?(@.type=='Ready')].status")],
            },
            new ResourceType
            {
                Group = "kubevirt.io", Versions = ["v1"], Kind = "VirtualMachineInstance", Plural = "virtualmachineinstances", Singular = "virtualmachineinstance",
                ShortNames = ["vmi", "vmis"], Categories = ["all"], Verbs = kubevirtVerbs,
                Columns =
                [
                    Age, Col("Phase", "string", ".status.phase"), Col("IP", "string", ".status.interfaces[0].ipAddress"),
                    Col("NodeName", "string", ".status.nodeName"), Col("Ready", "string", ".status.conditions[?(@.type=='Ready')].status"),
                    Col("Live-Migratable", "string", ".status.conditions[?(@.type=='LiveMigratable')].status", 1),
                    Col("Paused", "string", ".status.conditions[?(@.type=='Paused')].status", 1),
                ],
            },
            new ResourceType
            {
                Group = "kubevirt.io", Versions = ["v1"], Kind = "KubeVirt", Plural = "kubevirts", Singular = "kubevirt",
                ShortNames = ["kv", "kvs"], Categories = ["all"], Verbs = kubevirtVerbs,
                Columns = [Age, Col("Phase", "string", ".status.phase")],
            },
            // snapshot.kubevirt.io v1beta1 (storage) and v1alpha1 (served)
            new ResourceType
            {
                Group = "snapshot.kubevirt.io", Versions = ["v1beta1", "v1alpha1"], Kind = "VirtualMachineSnapshot", Plural = "virtualmachinesnapshots",
                Singular = "virtualmachinesnapshot", ShortNames = ["vmsnapshot", "vmsnapshots"], Categories = ["all"],
                Columns =
                [
                    Col("SourceKind", "string", ".spec.source.kind"), Col("SourceName", "string", ".spec.source.name"),
                    Col("Phase", "string", ".status.phase"), Col("ReadyToUse", "boolean", ".status.readyToUse"),
                    Col("CreationTime", "date", ".status.creationTime"), Col("Error", "string", ".status.error.message"),
                ],
            },
            new ResourceType
            {
                Group = "snapshot.kubevirt.io", Versions = ["v1beta1", "v1alpha1"], Kind = "VirtualMachineSnapshotContent", Plural = "virtualmachinesnapshotcontents",
                Singular = "virtualmachinesnapshotcontent", ShortNames = ["vmsnapshotcontent", "vmsnapshotcontents"], Categories = ["all"],
                Columns = [Col("ReadyToUse", "boolean", ".status.readyToUse"), Col("CreationTime", "date", ".status.creationTime"), Col("Error", "string", ".status.error.message")],
            },
            new ResourceType
            {
                Group = "snapshot.kubevirt.io", Versions = ["v1beta1", "v1alpha1"], Kind = "VirtualMachineRestore", Plural = "virtualmachinerestores",
                Singular = "virtualmachinerestore", ShortNames = ["vmrestore", "vmrestores"], Categories = ["all"],
                Columns =
                [
                    Col("TargetKind", "string", ".spec.target.kind"), Col("TargetName", "string", ".spec.target.name"),
                    Col("Complete", "boolean", ".status.complete"), Col("RestoreTime", "date", ".status.restoreTime"),
                    Col("Error", "string", ".status.error.message"),
                ],
            },
            // clone.kubevirt.io v1beta1 (storage) and v1alpha1
            new ResourceType
            {
                Group = "clone.kubevirt.io", Versions = ["v1beta1", "v1alpha1"], Kind = "VirtualMachineClone", Plural = "virtualmachineclones",
                Singular = "virtualmachineclone", ShortNames = ["vmclone", "vmclones"], Categories = ["all"],
                Columns = [Col("Phase", "string", ".status.phase"), Col("SourceVirtualMachine", "string", ".spec.source.name"), Col("TargetVirtualMachine", "string", ".spec.target.name")],
            },
            // cdi.kubevirt.io/v1beta1
            new ResourceType
            {
                Group = "cdi.kubevirt.io", Versions = ["v1beta1"], Kind = "DataVolume", Plural = "datavolumes", Singular = "datavolume",
                ShortNames = ["dv", "dvs"], Categories = ["all"],
                Columns = [Col("Phase", "string", ".status.phase"), Col("Progress", "string", ".status.progress"), Col("Restarts", "integer", ".status.restartCount"), Age],
            },
            new ResourceType
            {
                Group = "cdi.kubevirt.io", Versions = ["v1beta1"], Kind = "StorageProfile", Plural = "storageprofiles", Singular = "storageprofile",
                Namespaced = false, Columns = [Age],
            },
            // k8s.cni.cncf.io/v1 (Multus): the secondary networks VMs attach to, e.g. dev-segment for clones (issue 4)
            new ResourceType
            {
                Group = "k8s.cni.cncf.io", Versions = ["v1"], Kind = "NetworkAttachmentDefinition", Plural = "network-attachment-definitions",
                Singular = "network-attachment-definition", ShortNames = ["net-attach-def"], HasStatus = false, TopLevelFields = ["spec"], Columns = [Age],
            },
            // authentication.k8s.io/v1 and authorization.k8s.io/v1: the self reviews, answered, never stored
            new ResourceType
            {
                Group = "authentication.k8s.io", Versions = ["v1"], Kind = "SelfSubjectReview", Plural = "selfsubjectreviews", Singular = "selfsubjectreview",
                Namespaced = false, HasStatus = false, IsCustomResource = false, HasGeneration = false, Verbs = ["create"], CreateOnly = true,
            },
            new ResourceType
            {
                Group = "authorization.k8s.io", Versions = ["v1"], Kind = "SelfSubjectAccessReview", Plural = "selfsubjectaccessreviews", Singular = "selfsubjectaccessreview",
                Namespaced = false, HasStatus = false, IsCustomResource = false, HasGeneration = false, Verbs = ["create"], CreateOnly = true,
            },
            new ResourceType
            {
                Group = "authorization.k8s.io", Versions = ["v1"], Kind = "SelfSubjectRulesReview", Plural = "selfsubjectrulesreviews", Singular = "selfsubjectrulesreview",
                Namespaced = false, HasStatus = false, IsCustomResource = false, HasGeneration = false, Verbs = ["create"], CreateOnly = true,
            },
        ];
    }

    public IEnumerable<string> Groups => All.Select(t => t.Group).Where(g => g.Length > 0).Distinct();

    public ResourceType? Find(string group, string version, string plural)
        => All.FirstOrDefault(t => t.Group == group && t.Plural == plural && t.Versions.Contains(version));

    public ResourceType? FindByApiVersionKind(string apiVersion, string kind)
    {
        var slash = apiVersion.IndexOf('/');
        var group = slash >= 0 ? apiVersion[..slash] : "";
        var version = slash >= 0 ? apiVersion[(slash + 1)..] : apiVersion;
        return All.FirstOrDefault(t => t.Group == group && t.Kind == kind && t.Versions.Contains(version));
    }

    /// <summary>Resolves what a person would type: plural, singular, short name, Kind, or "plural.group".</summary>
    public ResourceType Resolve(string name)
    {
        var lower = name.ToLowerInvariant();
        return All.FirstOrDefault(t => t.QualifiedResource == lower)
            ?? All.FirstOrDefault(t => t.Plural == lower || t.Singular == lower || t.ShortNames.Contains(lower) || t.Kind.Equals(name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"The lab serves no resource called '{name}'.", nameof(name));
    }

    /// <summary>The annotations the storage printer treats as "this is the default StorageClass".</summary>
    private static bool IsDefaultClass(JsonObject o)
        => o["metadata"]?["annotations"] is JsonObject a
           && ((string?)a["storageclass.kubernetes.io/is-default-class"] == "true" || (string?)a["storageclass.beta.kubernetes.io/is-default-class"] == "true");

    private static object? AccessModes(JsonObject o)
    {
        if (o["status"]?["accessModes"] is not JsonArray modes) return "";
        return string.Join(",", modes.Select(m => (string?)m switch
        {
            "ReadWriteOnce" => "RWO",
            "ReadOnlyMany" => "ROX",
            "ReadWriteMany" => "RWX",
            "ReadWriteOncePod" => "RWOP",
            var other => other,
        }));
    }
}
