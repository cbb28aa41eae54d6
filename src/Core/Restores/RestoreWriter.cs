using System.Text.Json;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;
using VmSnapshot.Core.Snapshots;

namespace VmSnapshot.Core.Restores;

/// <summary>Creates VirtualMachineRestores and reads what a restore needs from the snapshot's content.</summary>
public static class RestoreWriter
{
    public static Task<JsonElement> CreateAsync(KubeVirtConnection connection, RestoreRequest request,
        CancellationToken cancelToken) =>
        CustomResources.CreateAsync(ConnectionFactory.ClientFor(connection).Client, ResourceType.VirtualMachineRestore,
            request.Namespace, request.Name, RestoreManifest.ToJson(request), SnapshotWriter.FieldManager, cancelToken);

    /// <summary>The VM spec a snapshot holds (content.spec.source.virtualMachine.spec), or null without content.</summary>
    public static async Task<JsonElement?> SnapshotVmSpecAsync(KubeVirtConnection connection, string @namespace,
        string? contentName, CancellationToken cancelToken)
    {
        if (string.IsNullOrEmpty(contentName))
        {
            return null;
        }

        JsonElement? content = await CustomResources.GetAsync(ConnectionFactory.ClientFor(connection).Client,
            ResourceType.VirtualMachineSnapshotContent, @namespace, contentName, cancelToken).ConfigureAwait(false);
        return content is { } found &&
               found.GetProperty("spec").TryGetProperty("source", out JsonElement source) &&
               source.TryGetProperty("virtualMachine", out JsonElement vm) &&
               vm.TryGetProperty("spec", out JsonElement spec)
            ? spec.Clone()
            : null;
    }
}
