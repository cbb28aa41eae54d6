using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;

namespace VmSnapshot.Core.Clones;

/// <summary>
/// Checks the networks a clone is moved to. KubeVirt's clone webhook and controller accept any networkName in a patch
/// (pkg/virt-api/webhooks/validating-webhook/admitters/vmclone-admitter.go validates only the patch syntax); the clone
/// then "succeeds" and its VM cannot start, because Multus finds no NetworkAttachmentDefinition. A networkName is
/// "name" (in the VM's namespace) or "namespace/name" (Multus' own form).
/// </summary>
public static class NetworkTargets
{
    /// <summary>The namespace and name a Multus networkName refers to, for a VM in <paramref name="vmNamespace"/>.</summary>
    public static (string Namespace, string Name) Resolve(string networkName, string vmNamespace)
    {
        int slash = networkName.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (vmNamespace, networkName) : (networkName[..slash], networkName[(slash + 1)..]);
    }

    /// <summary>
    /// The target networks (-NetworkMap values) that have no NetworkAttachmentDefinition, each with why
    /// (not found, or not a valid name). An API failure other than NotFound (403, unreachable) is passed on.
    /// </summary>
    public static async Task<IReadOnlyList<string>> MissingAsync(KubeVirtConnection connection, string vmNamespace,
        IEnumerable<string> targets, CancellationToken cancelToken)
    {
        KubeClientHandle handle = ConnectionFactory.ClientFor(connection);
        List<string> missing = new();
        foreach (string target in targets.Distinct(StringComparer.Ordinal))
        {
            (string @namespace, string name) = Resolve(target, vmNamespace);
            if (KubeNames.NamespaceProblem(@namespace) is not null || KubeNames.NameProblem(name) is not null)
            {
                missing.Add($"'{target}' (not a network name: give 'name' or 'namespace/name')");
                continue;
            }

            if (await CustomResources.GetAsync(handle.Client, ResourceType.NetworkAttachmentDefinition, @namespace, name, cancelToken)
                    .ConfigureAwait(false) is null)
            {
                missing.Add($"'{target}' (no NetworkAttachmentDefinition '{name}' in namespace '{@namespace}')");
            }
        }

        return missing;
    }
}
