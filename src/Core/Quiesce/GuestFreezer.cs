using System.Net.Http;
using System.Text.Json.Nodes;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;
using VmSnapshot.Core.Text;

namespace VmSnapshot.Core.Quiesce;

/// <summary>
/// virt-api's freeze and unfreeze subresources (kubevirt-api.md §3.3): PUT .../freeze with {"unfreezeTimeout"}
/// (the cluster thaws by itself once it passes, so a dead session cannot leave a guest frozen) and PUT .../unfreeze.
/// Both are idempotent.
/// </summary>
public static class GuestFreezer
{
    public static Task FreezeAsync(KubeVirtConnection connection, string @namespace, string name,
        TimeSpan unfreezeTimeout, CancellationToken cancelToken) =>
        RawApi.SendAsync(connection, HttpMethod.Put, QuiesceResources.VmiSubresourcePath(@namespace, name, "freeze"),
            new JsonObject { ["unfreezeTimeout"] = GoDuration.Format(unfreezeTimeout) },
            new ApiRequest("update", QuiesceResources.Freeze, @namespace, name), cancelToken);

    public static Task UnfreezeAsync(KubeVirtConnection connection, string @namespace, string name,
        CancellationToken cancelToken) =>
        RawApi.SendAsync(connection, HttpMethod.Put, QuiesceResources.VmiSubresourcePath(@namespace, name, "unfreeze"),
            null, new ApiRequest("update", QuiesceResources.Unfreeze, @namespace, name), cancelToken);
}
