namespace VmSnapshot.Core.Api;

/// <summary>
/// Describes one API call in Kubernetes RBAC terms, so a refusal can name exactly what was refused
/// ("cannot list virtualmachinesnapshots.snapshot.kubevirt.io in namespace vms").
/// </summary>
/// <param name="Verb">RBAC verb: get, list, watch, create, update, patch, delete.</param>
/// <param name="Resource">The resource type.</param>
/// <param name="Namespace">The namespace, or null for a cluster-wide or all-namespaces call.</param>
/// <param name="Name">The object's name, for calls on one object.</param>
public sealed record ApiRequest(string Verb, ResourceType Resource, string? Namespace, string? Name = null)
{
    /// <summary>A human description such as "list virtualmachinesnapshots.snapshot.kubevirt.io in namespace 'vms'".</summary>
    public string Describe()
    {
        string what = Name is null ? $"{Verb} {Resource.QualifiedPlural}" : $"{Verb} {Resource.QualifiedPlural} '{Name}'";
        return Namespace is null ? $"{what} in all namespaces" : $"{what} in namespace '{Namespace}'";
    }
}
