using System.Collections.Concurrent;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;

namespace VmSnapshot.Core.Watching;

/// <summary>
/// The watches of one command: at most one <see cref="NamespaceWatch"/> per namespace and resource type, created on
/// first use and shared by every wait in that namespace. Disposing the set ends them all.
/// </summary>
public sealed class WatchSet : IAsyncDisposable
{
    private readonly KubeVirtConnection _connection;
    private readonly ConcurrentDictionary<(string, ResourceType), Lazy<Task<NamespaceWatch>>> _watches = new();

    public WatchSet(KubeVirtConnection connection) => _connection = connection;

    public Task<NamespaceWatch> ForAsync(ResourceType type, string @namespace, CancellationToken cancelToken) =>
        _watches.GetOrAdd((@namespace, type), key => new Lazy<Task<NamespaceWatch>>(() =>
            NamespaceWatch.StartAsync(ConnectionFactory.ClientFor(_connection).Client, key.Item2, key.Item1,
                cancelToken))).Value;

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (Lazy<Task<NamespaceWatch>> watch in _watches.Values.Where(w => w.IsValueCreated))
        {
            if (watch.Value.IsCompletedSuccessfully)
            {
                await watch.Value.Result.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
