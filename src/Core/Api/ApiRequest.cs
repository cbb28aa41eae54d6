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
    /// <summary>
    /// The first call to a server just connected to: a connection that cannot be made is reported at once (most likely a
    /// wrong address or port, as kubectl reports it), not retried as an API server restart would be mid-run.
    /// </summary>
    public bool FirstContact { get; init; }

    /// <summary>A human description such as "list virtualmachinesnapshots.snapshot.kubevirt.io in namespace 'vms'".</summary>
    public string Describe()
    {
        string what = Name is null ? $"{Verb} {Resource.QualifiedPlural}" : $"{Verb} {Resource.QualifiedPlural} '{Name}'";
        return Namespace is null ? $"{what} in all namespaces" : $"{what} in namespace '{Namespace}'";
    }
}
