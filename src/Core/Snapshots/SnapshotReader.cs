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
        await foreach (JsonElement item in CustomResources.ListAsync(handle.Client, ResourceType.VirtualMachineSnapshot,
                           @namespace, labelSelector, fieldSelector: null, pageSize, cancelToken).ConfigureAwait(false))
        {
            yield return SnapshotMapper.FromJson(item, context, connection.Server.ToString());
        }
    }

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
