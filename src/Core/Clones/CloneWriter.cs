using System.Text.Json;
using k8s;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;
using VmSnapshot.Core.Snapshots;

namespace VmSnapshot.Core.Clones;

/// <summary>Creates VirtualMachineClones.</summary>
public static class CloneWriter
{
    public static async Task<JsonElement> CreateAsync(KubeVirtConnection connection, CloneRequest request,
        CancellationToken cancelToken)
    {
        ResourceType type = ResourceType.VirtualMachineClone;
        IKubernetes client = ConnectionFactory.ClientFor(connection).Client;
        object created = await ApiCall.RunAsync(new ApiRequest("create", type, request.Namespace, request.Name),
            ct => client.CustomObjects.CreateNamespacedCustomObjectAsync(CloneManifest.ToJson(request), type.Group,
                type.Version, request.Namespace, type.Plural, fieldManager: SnapshotWriter.FieldManager, cancellationToken: ct),
            cancelToken).ConfigureAwait(false);
        return (JsonElement)created;
    }
}
