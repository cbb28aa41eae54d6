using System.Runtime.CompilerServices;
using System.Text.Json;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;

namespace VmSnapshot.Core.Snapshots;

/// <summary>Reads VirtualMachineSnapshots from the cluster.</summary>
public static class SnapshotReader
{
    /// <summary>Page size for lists: big enough to keep round trips few, small enough to stream.</summary>
    public const int DefaultPageSize = 500;

    /// <summary>Lists snapshots of one namespace, or of all when <paramref name="namespace"/> is null, page by page.</summary>
    public static async IAsyncEnumerable<KubeVirtVMSnapshot> ListAsync(KubeVirtConnection connection,
        string? @namespace, string? labelSelector = null, int pageSize = DefaultPageSize,
        [EnumeratorCancellation] CancellationToken cancelToken = default)
    {
        KubeClientHandle handle = ConnectionFactory.ClientFor(connection);
        string context = connection.Origin;
        string server = connection.Server.ToString();
        await foreach (JsonDocument page in CustomResources.ListPagesAsync(handle.Client,
                           ResourceType.VirtualMachineSnapshot, @namespace, labelSelector, fieldSelector: null, pageSize,
                           cancelToken).ConfigureAwait(false))
        {
            // Each item is mapped before it is handed out, so the page's pooled buffers go back once it is read.
            using (page)
            {
                foreach (JsonElement item in CustomResources.Items(page))
                {
                    yield return SnapshotMapper.FromJson(item, context, server);
                }
            }
        }
    }

    /// <summary>
    /// The newest snapshot of each VM (keyed "namespace/vm") among those <paramref name="include"/> accepts, in one
    /// paged list of the namespace (all namespaces when null).
    /// </summary>
    public static async Task<Dictionary<string, KubeVirtVMSnapshot>> LatestPerVmAsync(KubeVirtConnection connection,
        string? @namespace, Func<KubeVirtVMSnapshot, bool> include, CancellationToken cancelToken)
    {
        Dictionary<string, KubeVirtVMSnapshot> latest = new(StringComparer.Ordinal);
        await foreach (KubeVirtVMSnapshot snapshot in ListAsync(connection, @namespace, cancelToken: cancelToken)
                           .ConfigureAwait(false))
        {
            string key = $"{snapshot.Namespace}/{snapshot.VMName}";
            if (include(snapshot) &&
                (!latest.TryGetValue(key, out KubeVirtVMSnapshot? current) || current.CreationTime < snapshot.CreationTime))
            {
                latest[key] = snapshot;
            }
        }

        return latest;
    }

    /// <summary>Gets one snapshot's raw object; null when it does not exist.</summary>
    public static Task<JsonElement?> GetRawAsync(KubeVirtConnection connection, string @namespace, string name,
        CancellationToken cancelToken) =>
        CustomResources.GetAsync(ConnectionFactory.ClientFor(connection).Client, ResourceType.VirtualMachineSnapshot,
            @namespace, name, cancelToken);

    /// <summary>Gets one snapshot by name; null when it does not exist.</summary>
    public static async Task<KubeVirtVMSnapshot?> GetAsync(KubeVirtConnection connection, string @namespace,
        string name, CancellationToken cancelToken = default)
    {
        KubeClientHandle handle = ConnectionFactory.ClientFor(connection);
        JsonElement? item = await CustomResources.GetAsync(handle.Client, ResourceType.VirtualMachineSnapshot,
            @namespace, name, cancelToken).ConfigureAwait(false);
        return item is { } found ? SnapshotMapper.FromJson(found, connection.Origin, connection.Server.ToString()) : null;
    }
}
