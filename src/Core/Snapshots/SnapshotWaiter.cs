using System.Text.Json;
using System.Threading.Channels;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;
using VmSnapshot.Core.Watching;

namespace VmSnapshot.Core.Snapshots;

/// <summary>Follows one snapshot through a shared namespace watch until it is final.</summary>
public static class SnapshotWaiter
{
    /// <summary>
    /// Waits until <see cref="SnapshotProgress.IsFinal"/>. <paramref name="events"/> must have been subscribed before
    /// the snapshot was created or read, so no change can fall between the read and the watch. Reports every change of
    /// stage or message through <paramref name="onProgress"/> (called on a thread-pool thread).
    /// </summary>
    public static async Task<JsonElement> WaitAsync(KubeVirtConnection connection, ChannelReader<WatchEvent> events,
        JsonElement initial, Action<SnapshotProgress, JsonElement> onProgress, CancellationToken cancelToken)
    {
        JsonElement current = initial;
        SnapshotProgress progress = SnapshotProgressRules.Evaluate(current);
        onProgress(progress, current);
        string @namespace = current.GetProperty("metadata").GetProperty("namespace").GetString()!;
        string name = current.GetProperty("metadata").GetProperty("name").GetString()!;

        while (!progress.IsFinal)
        {
            WatchEvent change = await events.ReadAsync(cancelToken).ConfigureAwait(false);
            switch (change.Change)
            {
                case WatchChange.Deleted:
                    throw new KubeApiException(ApiErrorKind.NotFound,
                        $"The snapshot '{name}' was deleted while waiting for it.",
                        new ApiRequest("watch", ResourceType.VirtualMachineSnapshot, @namespace, name), 404, "NotFound");
                case WatchChange.Resync:
                    JsonElement? reread = await CustomResources.GetAsync(ConnectionFactory.ClientFor(connection).Client,
                        ResourceType.VirtualMachineSnapshot, @namespace, name, cancelToken).ConfigureAwait(false);
                    if (reread is null)
                    {
                        goto case WatchChange.Deleted;
                    }

                    current = reread.Value;
                    break;
                default:
                    if (!NamespaceWatch.IsNewer(change.Object, current))
                    {
                        continue;
                    }

                    current = change.Object;
                    break;
            }

            SnapshotProgress next = SnapshotProgressRules.Evaluate(current);
            if (next != progress)
            {
                progress = next;
                onProgress(progress, current);
            }
        }

        return current;
    }
}
