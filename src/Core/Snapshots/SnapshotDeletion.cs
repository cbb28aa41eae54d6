using System.Text.Json;
using System.Threading.Channels;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Watching;

namespace VmSnapshot.Core.Snapshots;

/// <summary>
/// Deletes a snapshot and follows it until the API server drops it. A VirtualMachineSnapshot with finalizers
/// (snapshot.kubevirt.io/vmsnapshot-protection) is only marked for deletion by the DELETE; the snapshot controller
/// removes its content and then the finalizer (pkg/storage/snapshot/snapshot.go, updateVMSnapshot), and only then is
/// the object gone.
/// </summary>
public static class SnapshotDeletion
{
    /// <summary>
    /// Sends the DELETE, then waits on the namespace's shared watch for the object to go. Subscribes first, so not even
    /// a quick removal falls between the DELETE and the wait. A wait longer than <paramref name="timeout"/> ends in a
    /// Timeout <see cref="KubeApiException"/>; the deletion itself goes on in the cluster.
    /// </summary>
    public static async Task DeleteAndWaitAsync(KubeVirtConnection connection, WatchSet watches, string @namespace,
        string name, TimeSpan timeout, CancellationToken cancelToken)
    {
        NamespaceWatch watch = await watches.ForAsync(ResourceType.VirtualMachineSnapshot, @namespace, cancelToken)
            .ConfigureAwait(false);
        ChannelReader<WatchEvent> events = watch.Subscribe(name);
        try
        {
            JsonElement? remaining = await SnapshotWriter.DeleteAsync(connection, @namespace, name, cancelToken).ConfigureAwait(false);
            using CancellationTokenSource limit = CancellationTokenSource.CreateLinkedTokenSource(cancelToken);
            limit.CancelAfter(timeout);
            try
            {
                while (remaining is not null)
                {
                    WatchEvent change = await events.ReadAsync(limit.Token).ConfigureAwait(false);
                    if (change.Change == WatchChange.Deleted)
                    {
                        remaining = null;
                    }
                }
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancelToken.IsCancellationRequested)
            {
                throw new KubeApiException(ApiErrorKind.Timeout,
                    $"Snapshot '{name}' was still being deleted after {timeout} (its finalizers have not finished).",
                    new ApiRequest("delete", ResourceType.VirtualMachineSnapshot, @namespace, name));
            }
        }
        finally
        {
            watch.Unsubscribe(name);
        }
    }
}
