using System.Text.Json;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;
using VmSnapshot.Core.Snapshots;

namespace VmSnapshot.Core.Clones;

/// <summary>Creates VirtualMachineClones.</summary>
public static class CloneWriter
{
    public static Task<JsonElement> CreateAsync(KubeVirtConnection connection, CloneRequest request,
        CancellationToken cancelToken) =>
        CustomResources.CreateAsync(ConnectionFactory.ClientFor(connection).Client, ResourceType.VirtualMachineClone,
            request.Namespace, request.Name, CloneManifest.ToJson(request), SnapshotWriter.FieldManager, cancelToken);
}
