using System.Text.Json;
using k8s;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Connection;

/// <summary>
/// Checks a new connection the way an admin would: is the server there, do the credentials work, and is KubeVirt's
/// snapshot API installed. Run by Connect-KubeVirt so problems show up at connect time.
/// </summary>
public static class ServerProbe
{
    /// <summary>
    /// Throws <see cref="KubeApiException"/> when the connection cannot be used. Returns whether the namespace holds a
    /// snapshot: when it holds none, it may not exist either (a list in a missing namespace is an empty list).
    /// </summary>
    public static async Task<bool> CheckAsync(KubeVirtConnection connection, CancellationToken cancelToken)
    {
        KubeClientHandle handle = ConnectionFactory.ClientFor(connection);
        ResourceType snapshots = ResourceType.VirtualMachineSnapshot;

        // Listing one snapshot with limit=1 proves reachability, authentication, that the API exists and that this
        // user may list snapshots here, in one cheap request.
        ApiRequest request = new("list", snapshots, connection.Namespace) { FirstContact = true };
        object list = await ApiCall.RunAsync(request, ct => handle.Client.CustomObjects.ListNamespacedCustomObjectAsync(
            snapshots.Group, snapshots.Version, connection.Namespace, snapshots.Plural, limit: 1,
            cancellationToken: ct), cancelToken).ConfigureAwait(false);
        return list is JsonElement body && body.Child("items"u8) is { ValueKind: JsonValueKind.Array } items && items.GetArrayLength() > 0;
    }
}
