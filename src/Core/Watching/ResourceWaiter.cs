using System.Text.Json;
using System.Threading.Channels;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Watching;

/// <summary>Follows one object through a shared namespace watch until an evaluation of it says it is final.</summary>
public static class ResourceWaiter
{
    /// <summary>
    /// Waits until <paramref name="isFinal"/> holds for the evaluation of the object. <paramref name="events"/> must
    /// have been subscribed before the object was created or read, so no change can fall between the read and the
    /// watch. Every change of evaluation is reported through <paramref name="onProgress"/> (on a thread-pool thread).
    /// A deletion while waiting is an error (after a relist, an object the list no longer shows counts as deleted).
    /// </summary>
    public static async Task<JsonElement> WaitAsync<TProgress>(ResourceType type, ChannelReader<WatchEvent> events, JsonElement initial, Func<JsonElement, TProgress> evaluate,
        Func<TProgress, bool> isFinal, Action<TProgress, JsonElement> onProgress, CancellationToken cancelToken)
    {
        JsonElement current = initial;
        TProgress progress = evaluate(current);
        onProgress(progress, current);
        string @namespace = current.Child("metadata").String("namespace") ?? string.Empty;
        string name = current.Child("metadata").String("name") ?? string.Empty;

        while (!isFinal(progress))
        {
            WatchEvent change = await events.ReadAsync(cancelToken).ConfigureAwait(false);
            switch (change.Change)
            {
                case WatchChange.Deleted when IsBefore(change.ListResourceVersion, current):
                    // A relist served before the version we already hold (the object was created after it) says
                    // nothing about the object: wait on.
                    continue;
                case WatchChange.Deleted:
                    throw Deleted(type, @namespace, name);
                default:
                    if (!NamespaceWatch.IsNewer(change.Object, current))
                    {
                        continue;
                    }

                    current = change.Object;
                    break;
            }

            TProgress next = evaluate(current);
            if (!EqualityComparer<TProgress>.Default.Equals(next, progress))
            {
                progress = next;
                onProgress(progress, current);
            }
        }

        return current;
    }

    private static bool IsBefore(long? listResourceVersion, JsonElement current) =>
        listResourceVersion is { } list &&
        long.TryParse(current.Child("metadata").String("resourceVersion"), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out long held) &&
        list < held;

    private static KubeApiException Deleted(ResourceType type, string @namespace, string name) =>
        new(ApiErrorKind.NotFound, $"The {type.Kind} '{name}' was deleted while waiting for it.",
            new ApiRequest("watch", type, @namespace, name), 404, "NotFound");
}
