using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace VmSnapshot.Lab.Api;

/// <summary>
/// The resources the lab serves: the kube-apiserver built-ins it emulates, with the group, versions, names and
/// printer columns of a real cluster, plus whatever add-ons register (as creating a CRD does) before the store is built.
/// The API server, store and HTTP layers know kinds only through this catalog.
/// </summary>
public sealed class ResourceCatalog
{
    private static readonly PrinterColumn s_age = PrinterColumn.Age;

    private static PrinterColumn Col(string name, string type, string path, int priority = 0) => new(name, type, path, priority);

    private readonly List<ResourceType> _all;
    private bool _sealedForStore;
    private readonly ConcurrentDictionary<string, ResourceType> _resolved = new(StringComparer.Ordinal);

    /// <summary>Built-ins first, then registered kinds in registration order (the order discovery lists them).</summary>
    public IReadOnlyList<ResourceType> All => _all;

    public ResourceCatalog()
    {
        _all =
        [
            // core/v1
            new ResourceType
            {
                Group = "", Versions = ["v1"], Kind = "Namespace", Plural = "namespaces", Singular = "namespace", ShortNames = ["ns"],
                Namespaced = false, IsCustomResource = false, HasGeneration = false, ReturnDeletedObject = true,
                Verbs = ["create", "delete", "get", "list", "patch", "update", "watch"],
                ExtraFieldSelectors = new() { ["status.phase"] = ".status.phase" },
                Columns = [Col("Status", "string", ".status.phase") with { Description = "The status of the namespace" }, s_age],
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
                    s_age,
                    Col("VolumeMode", "string", ".spec.volumeMode", 1),
                ],
            },
            PodPrinter.Type,
            // Bound by the lab's PV binder, as the kube-controller-manager's binder binds real ones.
            new ResourceType
            {
                Group = "", Versions = ["v1"], Kind = "PersistentVolume", Plural = "persistentvolumes", Singular = "persistentvolume", ShortNames = ["pv"],
                Namespaced = false, IsCustomResource = false, HasGeneration = false, ReturnDeletedObject = true,
                Columns =
                [
                    Col("Capacity", "string", ".spec.capacity.storage"), Col("Reclaim Policy", "string", ".spec.persistentVolumeReclaimPolicy"),
                    Col("Status", "string", ".status.phase"), Col("StorageClass", "string", ".spec.storageClassName"), s_age,
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
                    s_age,
                ],
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

    /// <summary>
    /// Adds a kind, as creating its CustomResourceDefinition (or installing an add-on) does in a real cluster. Only
    /// before the store is built: the store makes one table per kind when it starts, so a later kind would have none.
    /// </summary>
    public void Register(ResourceType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (_sealedForStore) throw new InvalidOperationException($"Register {type.QualifiedResource} before the store is built.");
        if (_all.Any(t => t.Group == type.Group && t.Plural == type.Plural))
            throw new InvalidOperationException($"{type.QualifiedResource} is already registered.");
        _all.Add(type);
    }

    /// <summary>Called by the store when it builds its tables; later registrations throw.</summary>
    internal void Seal() => _sealedForStore = true;

    public IEnumerable<string> Groups => All.Select(t => t.Group).Where(g => g.Length > 0).Distinct();

    public ResourceType? Find(string group, string version, string plural)
        => All.FirstOrDefault(t => t.Group == group && t.Plural == plural && t.Versions.Contains(version));

    public ResourceType? FindByApiVersionKind(string apiVersion, string kind)
    {
        int slash = apiVersion.IndexOf('/');
        string group = slash >= 0 ? apiVersion[..slash] : "";
        string version = slash >= 0 ? apiVersion[(slash + 1)..] : apiVersion;
        return All.FirstOrDefault(t => t.Group == group && t.Kind == kind && t.Versions.Contains(version));
    }

    /// <summary>Resolves what a person would type: plural, singular, short name, Kind, or "plural.group".</summary>
    public ResourceType Resolve(string name)
    {
        // The controllers resolve a plural on every store call: once the kinds are fixed, each name is searched once.
        if (_sealedForStore && _resolved.TryGetValue(name, out ResourceType? known)) return known;
        string lower = name.ToLowerInvariant();
        ResourceType type = All.FirstOrDefault(t => t.QualifiedResource == lower)
            ?? All.FirstOrDefault(t => t.Plural == lower || t.Singular == lower || t.ShortNames.Contains(lower) || t.Kind.Equals(name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"The lab serves no resource called '{name}'.", nameof(name));
        if (_sealedForStore) _resolved.TryAdd(name, type);
        return type;
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
