using VmSnapshot.Lab.Json;

namespace VmSnapshot.Lab.Api;

/// <summary>
/// The patchStrategy/patchMergeKey struct tags of the built-in kinds the lab serves (and of pods and services, for
/// when they are served), from k8s.io/api core/v1 and meta/v1 types.go. A list not named here is atomic: a strategic
/// merge patch replaces it, as for any field without a "merge" strategy.
/// </summary>
internal static class PatchStrategies
{
    private static readonly Dictionary<string, ListStrategy> s_objectMeta = new()
    {
        ["metadata.finalizers"] = new(null),                 // ObjectMeta.Finalizers: patchStrategy:"merge"
        ["metadata.ownerReferences"] = new("uid"),           // ObjectMeta.OwnerReferences: merge, key uid
    };

    private static readonly Dictionary<string, ListStrategy> s_conditions = new()
    {
        ["status.conditions"] = new("type"),                 // NamespaceStatus, PersistentVolumeClaimStatus, PodStatus
    };

    private static readonly Dictionary<string, ListStrategy> s_pod = new()
    {
        ["spec.containers"] = new("name"), ["spec.initContainers"] = new("name"), ["spec.ephemeralContainers"] = new("name"),
        ["spec.volumes"] = new("name", RetainKeys: true), ["spec.imagePullSecrets"] = new("name"), ["spec.hostAliases"] = new("ip"),
        ["spec.resourceClaims"] = new("name", RetainKeys: true), ["spec.schedulingGates"] = new("name"),
        ["status.podIPs"] = new("ip"), ["status.hostIPs"] = new("ip"),
    };

    /// <summary>Fields of a Container (under spec.containers, spec.initContainers, spec.ephemeralContainers).</summary>
    private static readonly Dictionary<string, ListStrategy> s_container = new()
    {
        ["ports"] = new("containerPort"), ["env"] = new("name"), ["volumeMounts"] = new("mountPath"), ["volumeDevices"] = new("devicePath"),
    };

    private static readonly Dictionary<string, ListStrategy> s_service = new() { ["spec.ports"] = new("port") };

    /// <summary>The lookup a strategic merge patch of this kind uses, or null when the kind takes none (custom resources: 415).</summary>
    public static Func<string, ListStrategy?>? For(ResourceType type)
    {
        if (type.IsCustomResource) return null;
        Dictionary<string, ListStrategy> own = type.Kind switch
        {
            "Namespace" or "PersistentVolumeClaim" => s_conditions,
            "Pod" => s_pod.Concat(s_conditions).ToDictionary(),
            "Service" => s_service,
            _ => new Dictionary<string, ListStrategy>(),
        };
        return path =>
        {
            if (s_objectMeta.TryGetValue(path, out ListStrategy? meta) || own.TryGetValue(path, out meta)) return meta;
            if (type.Kind == "Pod")
            {
                foreach (string list in new[] { "spec.containers.", "spec.initContainers.", "spec.ephemeralContainers." })
                    if (path.StartsWith(list, StringComparison.Ordinal) && s_container.TryGetValue(path[list.Length..], out ListStrategy? c)) return c;
            }

            return null;
        };
    }
}
