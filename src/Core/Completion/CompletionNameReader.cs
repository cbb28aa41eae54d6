using System.Text.Json;
using k8s;
using k8s.Models;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;
using VmSnapshot.Core.Json;
using VmSnapshot.Core.Snapshots;

namespace VmSnapshot.Core.Completion;

/// <summary>
/// Reads just the names tab completion offers, one list call each: no instances, no snapshot joins, so a Tab costs
/// one round trip. The caller bounds each read with the cancellation token it passes.
/// </summary>
public static class CompletionNameReader
{
    /// <summary>The VMs of one namespace, or of all when <paramref name="namespace"/> is null.</summary>
    public static Task<IReadOnlyList<CompletionName>> VmsAsync(KubeVirtConnection connection, string? @namespace,
        CancellationToken cancelToken) =>
        ListAsync(connection, ResourceType.VirtualMachine, @namespace, _ => null, cancelToken);

    /// <summary>The snapshots of one namespace (or all), each with the VM it was taken of (spec.source.name).</summary>
    public static Task<IReadOnlyList<CompletionName>> SnapshotsAsync(KubeVirtConnection connection, string? @namespace,
        CancellationToken cancelToken) =>
        ListAsync(connection, ResourceType.VirtualMachineSnapshot, @namespace,
            item => item.Child("spec").Child("source").String("name"), cancelToken);

    /// <summary>The namespaces the caller may list (core/v1 namespaces).</summary>
    public static async Task<IReadOnlyList<CompletionName>> NamespacesAsync(KubeVirtConnection connection,
        CancellationToken cancelToken)
    {
        IKubernetes client = ConnectionFactory.ClientFor(connection).Client;
        V1NamespaceList list = await ApiCall.RunAsync(
            new ApiRequest("list", ResourceType.Namespace, null),
            ct => client.CoreV1.ListNamespaceAsync(cancellationToken: ct), cancelToken).ConfigureAwait(false);
        return list.Items
            .Select(n => n.Metadata?.Name)
            .OfType<string>()
            .Select(name => new CompletionName(name, null))
            .ToArray();
    }

    private static async Task<IReadOnlyList<CompletionName>> ListAsync(KubeVirtConnection connection, ResourceType type,
        string? @namespace, Func<JsonElement, string?> owner, CancellationToken cancelToken)
    {
        List<CompletionName> names = new();
        await foreach (JsonElement item in CustomResources.ListAsync(ConnectionFactory.ClientFor(connection).Client, type,
                           @namespace, null, null, SnapshotReader.DefaultPageSize, cancelToken).ConfigureAwait(false))
        {
            JsonElement metadata = item.Child("metadata");
            if (metadata.String("name") is { Length: > 0 } name)
            {
                names.Add(new CompletionName(name, metadata.String("namespace"), owner(item)));
            }
        }

        return names;
    }
}
