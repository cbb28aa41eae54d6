using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
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
        JsonElement? answer = await ApiCall.RunAsync(new ApiRequest("delete", type, @namespace, name), async (attempt, ct) =>
        {
            try
            {
                return (JsonElement?)(JsonElement)await client.CustomObjects.DeleteNamespacedCustomObjectAsync(type.Group,
                    type.Version, @namespace, type.Plural, name, new V1DeleteOptions { PropagationPolicy = "Background" },
                    cancellationToken: ct).ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (attempt > 1 && (int)e.Response.StatusCode == 404 &&
                                                   e.Response.Content?.Contains($"\"{name}\"", StringComparison.Ordinal) == true)
            {
                // An earlier attempt's DELETE went through and only its answer was lost: the object is gone.
                return null;
            }
        }, cancelToken).ConfigureAwait(false);
        return answer is { } body && body.String("kind") != "Status" ? body : null;
    }

    /// <summary>Sets annotations on a snapshot with a JSON merge patch (only those keys change).</summary>
    public static async Task AnnotateAsync(KubeVirtConnection connection, string @namespace, string name,
        IReadOnlyDictionary<string, string> annotations, CancellationToken cancelToken)
    {
        ResourceType type = ResourceType.VirtualMachineSnapshot;
        IKubernetes client = ConnectionFactory.ClientFor(connection).Client;
        string patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["annotations"] = new JsonObject(annotations.Select(a =>
                    KeyValuePair.Create(a.Key, (JsonNode?)JsonValue.Create(a.Value)))),
            },
        }.ToJsonString();
        await ApiCall.RunAsync(new ApiRequest("patch", type, @namespace, name),
            ct => client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch),
                type.Group, type.Version, @namespace, type.Plural, name, fieldManager: FieldManager, cancellationToken: ct),
            cancelToken).ConfigureAwait(false);
    }
}
