using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Watching;

/// <summary>
/// One watch on one resource type in one namespace, shared by every wait in that namespace: waiting for 200
/// snapshots costs one long-lived request, not 200 polls. Events are routed to subscribers by object name.
/// The stream is resumed from the last resourceVersion seen when the server ends it (timeoutSeconds, network), and
/// restarted with a resync when the server says that version is too old (410 Expired).
/// </summary>
/// <remarks>
/// The reconnect loop is written here rather than taken from a retry library: KubernetesClient's watch helpers end
/// silently on a closed stream, and what to resume from (the last resourceVersion or a fresh list) is
/// Kubernetes-specific, which no generic retry policy knows.
/// </remarks>
public sealed class NamespaceWatch : IAsyncDisposable
{
    private static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(10);
    private const int WatchTimeoutSeconds = 300;

    private readonly IKubernetes _client;
    private readonly ResourceType _type;
    private readonly string _namespace;
    private readonly ConcurrentDictionary<string, Channel<WatchEvent>> _subscribers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private string _resourceVersion;

    private NamespaceWatch(IKubernetes client, ResourceType type, string @namespace, string resourceVersion)
    {
        _client = client;
        _type = type;
        _namespace = @namespace;
        _resourceVersion = resourceVersion;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// Starts watching from the namespace's current resourceVersion (one list call with limit=1), so every change made
    /// after this returns is delivered.
    /// </summary>
    public static async Task<NamespaceWatch> StartAsync(IKubernetes client, ResourceType type, string @namespace,
        CancellationToken cancelToken)
    {
        string resourceVersion = await CurrentResourceVersionAsync(client, type, @namespace, cancelToken).ConfigureAwait(false);
        return new NamespaceWatch(client, type, @namespace, resourceVersion);
    }

    /// <summary>Receives the events of one object until disposed.</summary>
    public ChannelReader<WatchEvent> Subscribe(string name)
    {
        Channel<WatchEvent> channel = Channel.CreateUnbounded<WatchEvent>(new UnboundedChannelOptions { SingleReader = true });
        _subscribers[name] = channel;
        return channel.Reader;
    }

    /// <summary>Stops delivering events for one object.</summary>
    public void Unsubscribe(string name)
    {
        if (_subscribers.TryRemove(name, out Channel<WatchEvent>? channel))
        {
            channel.Writer.TryComplete();
        }
    }

    /// <summary>True when <paramref name="candidate"/> is newer than <paramref name="current"/> (numeric resourceVersions).</summary>
    public static bool IsNewer(JsonElement candidate, JsonElement current)
    {
        string? a = candidate.Child("metadata").String("resourceVersion");
        string? b = current.Child("metadata").String("resourceVersion");
        return !long.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out long newer) ||
               !long.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out long older) ||
               newer > older;
    }

    private async Task RunAsync()
    {
        TimeSpan backoff = TimeSpan.FromMilliseconds(250);
        // A 410 after a relist means history is compacted faster than we resume (a busy cluster, a small watch
        // cache): relisting again at once would hammer the API server with lists, so repeated ones back off.
        TimeSpan relistBackoff = TimeSpan.Zero;
        while (!_stop.IsCancellationRequested)
        {
            bool expired = false;
            bool delivered = false;
            long started = Environment.TickCount64;
            try
            {
                await foreach ((WatchEventType type, object item) in _client.CustomObjects.WatchListNamespacedCustomObjectAsync(
                                   _type.Group, _type.Version, _namespace, _type.Plural, allowWatchBookmarks: true,
                                   resourceVersion: _resourceVersion, timeoutSeconds: WatchTimeoutSeconds,
                                   onError: e => expired |= IsExpired(e), cancellationToken: _stop.Token).ConfigureAwait(false))
                {
                    backoff = TimeSpan.FromMilliseconds(250);
                    if (type == WatchEventType.Error)
                    {
                        // The watch cache answers a too-old resourceVersion with 200 and an ERROR event carrying a 410
                        // Status, then closes: resuming from the same version would only get the same answer.
                        expired |= IsExpiredStatus((JsonElement)item);
                        continue;
                    }

                    relistBackoff = TimeSpan.Zero;
                    delivered |= type != WatchEventType.Bookmark;
                    Dispatch(type, (JsonElement)item);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpOperationException e) when ((int)e.Response.StatusCode == 410)
            {
                expired = true;
            }
            catch (Exception) when (!_stop.IsCancellationRequested)
            {
                // A dropped connection or a server restart: resume from the last version seen after a short pause.
                await DelayAsync(backoff).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, s_maxBackoff.Ticks));
                continue;
            }

            if (!expired && !delivered && Environment.TickCount64 - started < 1000)
            {
                // The stream ended at once with nothing in it (a proxy cutting connections, a server restarting):
                // reconnecting at once, again and again, would only add load. Pause, longer each time.
                await DelayAsync(backoff).ConfigureAwait(false);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, s_maxBackoff.Ticks));
                continue;
            }

            if (expired)
            {
                if (relistBackoff > TimeSpan.Zero)
                {
                    // Full jitter: watches of many namespaces that expired together do not relist together.
                    await DelayAsync(TimeSpan.FromTicks((long)(relistBackoff.Ticks * (0.5 + (Random.Shared.NextDouble() / 2))))).ConfigureAwait(false);
                }

                relistBackoff = relistBackoff == TimeSpan.Zero
                    ? TimeSpan.FromMilliseconds(250)
                    : TimeSpan.FromTicks(Math.Min(relistBackoff.Ticks * 2, s_maxBackoff.Ticks));
                await ResyncAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Relists the namespace, as client-go's reflector does after a 410, and hands every subscriber the state the list
    /// shows: the object (Updated) or its absence (Deleted). One list answers all waiters; asking each to re-read its own
    /// object cost one request per waiter on every relist.
    /// </summary>
    private async Task ResyncAsync()
    {
        try
        {
            object list = await ApiCall.RunAsync(new ApiRequest("list", _type, _namespace),
                ct => _client.CustomObjects.ListNamespacedCustomObjectAsync(_type.Group, _type.Version, _namespace,
                    _type.Plural, cancellationToken: ct), _stop.Token).ConfigureAwait(false);
            JsonElement root = (JsonElement)list;
            _resourceVersion = root.Child("metadata").String("resourceVersion") ?? string.Empty;
            Dictionary<string, JsonElement> current = root.Child("items").EnumerateArraySafe()
                .Where(item => item.Child("metadata").String("name") is not null)
                .ToDictionary(item => item.Child("metadata").String("name")!, item => item.Clone(), StringComparer.Ordinal);
            long? listVersion = long.TryParse(_resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out long rv) ? rv : null;
            foreach ((string name, Channel<WatchEvent> channel) in _subscribers)
            {
                channel.Writer.TryWrite(current.TryGetValue(name, out JsonElement state)
                    ? new WatchEvent(WatchChange.Updated, state, listVersion)
                    : new WatchEvent(WatchChange.Deleted, default, listVersion));
            }
        }
        catch (Exception) when (!_stop.IsCancellationRequested)
        {
            await DelayAsync(s_maxBackoff).ConfigureAwait(false);
        }
    }

    private void Dispatch(WatchEventType type, JsonElement item)
    {
        string? resourceVersion = item.Child("metadata").String("resourceVersion");
        if (!string.IsNullOrEmpty(resourceVersion))
        {
            _resourceVersion = resourceVersion;
        }

        if (type is WatchEventType.Bookmark or WatchEventType.Error)
        {
            return;
        }

        string? name = item.Child("metadata").String("name");
        if (name is not null && _subscribers.TryGetValue(name, out Channel<WatchEvent>? channel))
        {
            // Clone: the element's document belongs to the watch's read buffer.
            channel.Writer.TryWrite(new WatchEvent(type == WatchEventType.Deleted ? WatchChange.Deleted : WatchChange.Updated,
                item.Clone()));
        }
    }

    private static bool IsExpiredStatus(JsonElement status) =>
        (status.TryGetProperty("code", out JsonElement code) && code.ValueKind == JsonValueKind.Number && code.GetInt32() == 410) ||
        status.String("reason") is "Expired" or "Gone";

    private static bool IsExpired(Exception e) =>
        e is KubernetesException { Status.Code: 410 } ||
        (e is KubernetesException k && k.Status?.Reason == "Expired");

    private static async Task<string> CurrentResourceVersionAsync(IKubernetes client, ResourceType type,
        string @namespace, CancellationToken cancelToken)
    {
        object list = await ApiCall.RunAsync(new ApiRequest("list", type, @namespace),
            ct => client.CustomObjects.ListNamespacedCustomObjectAsync(type.Group, type.Version, @namespace,
                type.Plural, limit: 1, cancellationToken: ct), cancelToken).ConfigureAwait(false);
        return ((JsonElement)list).Child("metadata").String("resourceVersion") ?? string.Empty;
    }

    private async Task DelayAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The loop only ends by cancellation; nothing useful to report while disposing.
        }

        foreach (string name in _subscribers.Keys)
        {
            Unsubscribe(name);
        }

        _stop.Dispose();
    }
}
