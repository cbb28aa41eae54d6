using System.Text.Json;
using k8s.Models;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Snapshots;

/// <summary>
/// The size of VM snapshots: the sum of their VolumeSnapshots' status.restoreSize. KubeVirt reports it nowhere else
/// (the content's status.volumeSnapshotStatus[] carries only creationTime, readyToUse and error), so it takes one list
/// of VolumeSnapshots per namespace read, matched to the snapshot by the owner reference KubeVirt puts on each
/// VolumeSnapshot: its VirtualMachineSnapshotContent (KubeVirt's content controller in pkg/storage/snapshot, as the lab's
/// VirtualMachineSnapshotContentController.CreateVolumeSnapshot mirrors). One list, not one request per snapshot.
/// </summary>
public static class SnapshotSizes
{
    /// <summary>
    /// Bytes per VirtualMachineSnapshotContent name, of one namespace or of all (null). A content with a
    /// VolumeSnapshot that has no restoreSize yet is left out: its size is not known. When the caller may not list
    /// VolumeSnapshots or the list fails, Sizes is null and Failure says why: size is a nicety, and reading snapshots
    /// must not fail for it, but the caller should tell the user why Size is empty.
    /// </summary>
    public static async Task<(IReadOnlyDictionary<string, long>? Sizes, KubeApiException? Failure)> ReadAsync(
        KubeVirtConnection connection, string? @namespace, CancellationToken cancelToken)
    {
        Dictionary<string, long> sizes = new(StringComparer.Ordinal);
        HashSet<string> unknown = new(StringComparer.Ordinal);
        try
        {
            await foreach (JsonElement volumeSnapshot in CustomResources.ListAsync(ConnectionFactory.ClientFor(connection).Client,
                               ResourceType.VolumeSnapshot, @namespace, labelSelector: null, fieldSelector: null,
                               SnapshotReader.DefaultPageSize, cancelToken).ConfigureAwait(false))
            {
                JsonElement metadata = volumeSnapshot.Child("metadata");
                string? content = metadata.Child("ownerReferences").EnumerateArraySafe()
                    .Where(o => o.String("kind") == ResourceType.VirtualMachineSnapshotContent.Kind)
                    .Select(o => o.String("name")).FirstOrDefault();
                if (content is null)
                {
                    continue;
                }

                string key = Key(metadata.String("namespace"), content);
                if (Bytes(volumeSnapshot.Child("status").String("restoreSize")) is { } bytes)
                {
                    sizes[key] = sizes.GetValueOrDefault(key) + bytes;
                }
                else
                {
                    unknown.Add(key);
                }
            }
        }
        catch (KubeApiException e)
        {
            // No RBAC for VolumeSnapshots (the usual case for a snapshot viewer), no snapshot.storage.k8s.io API, or a
            // failure the retries did not get past: the sizes stay unknown and the snapshots are still listed.
            return (null, e);
        }

        foreach (string key in unknown)
        {
            sizes.Remove(key);
        }

        return (sizes, null);
    }

    /// <summary>
    /// True for a failure a reader of snapshots meets on a healthy cluster: no right to list VolumeSnapshots, or no
    /// VolumeSnapshot API. Anything else (the server failing, the connection dropping) is worth a warning.
    /// </summary>
    public static bool IsExpected(KubeApiException failure) =>
        failure.Kind is ApiErrorKind.Forbidden or ApiErrorKind.NotFound;

    /// <summary>Sets <see cref="KubeVirtVMSnapshot.Size"/> from <paramref name="sizes"/>; unknown stays null.</summary>
    public static KubeVirtVMSnapshot Apply(KubeVirtVMSnapshot snapshot, IReadOnlyDictionary<string, long>? sizes)
    {
        if (sizes is not null && snapshot.ContentName is { } content &&
            sizes.TryGetValue(Key(snapshot.Namespace, content), out long bytes))
        {
            snapshot.Size = bytes;
        }

        return snapshot;
    }

    private static string Key(string? @namespace, string content) => $"{@namespace}/{content}";

    /// <summary>A Kubernetes quantity ("80Gi", "1073741824") in bytes; null when absent or unreadable.</summary>
    internal static long? Bytes(string? quantity)
    {
        if (string.IsNullOrEmpty(quantity))
        {
            return null;
        }

        try
        {
            return new ResourceQuantity(quantity).ToInt64();
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
