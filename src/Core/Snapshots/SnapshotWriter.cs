using System.Text.Json;
using k8s;
using k8s.Models;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Snapshots;

/// <summary>Creates and deletes VirtualMachineSnapshots.</summary>
public static class SnapshotWriter
{
    /// <summary>The field manager recorded in managedFields for what this module writes.</summary>
    public const string FieldManager = "vmsnapshot-powershell";

    /// <summary>POSTs the snapshot; returns the object the server stored.</summary>
    public static Task<JsonElement> CreateAsync(KubeVirtConnection connection, SnapshotRequest request,
        CancellationToken cancelToken) =>
        CustomResources.CreateAsync(ConnectionFactory.ClientFor(connection).Client, ResourceType.VirtualMachineSnapshot,
            request.Namespace, request.Name, SnapshotManifest.ToJson(request), FieldManager, cancelToken);

    /// <summary>
    /// DELETEs the snapshot (background propagation, as kubectl). Returns the object while finalizers hold it, or null
    /// when it is already gone.
    /// </summary>
    public static async Task<JsonElement?> DeleteAsync(KubeVirtConnection connection, string @namespace, string name,
        CancellationToken cancelToken)
    {
        ResourceType type = ResourceType.VirtualMachineSnapshot;
        IKubernetes client = ConnectionFactory.ClientFor(connection).Client;
        object answer = await ApiCall.RunAsync(new ApiRequest("delete", type, @namespace, name),
            ct => client.CustomObjects.DeleteNamespacedCustomObjectAsync(type.Group, type.Version, @namespace,
                type.Plural, name, new V1DeleteOptions { PropagationPolicy = "Background" }, cancellationToken: ct),
            cancelToken).ConfigureAwait(false);
        JsonElement body = (JsonElement)answer;
        return body.String("kind") == "Status" ? null : body;
    }
}
