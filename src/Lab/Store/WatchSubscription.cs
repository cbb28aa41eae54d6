using System.Threading.Channels;
using VmSnapshot.Lab.Api;

namespace VmSnapshot.Lab.Store;

/// <summary>
/// A registration for the changes of one resource type. The store writes events into the channel while it
/// holds its lock, so the order is the resourceVersion order; <see cref="Initial"/> holds what happened
/// before the subscription (synthetic ADDED for a watch from "0", or history replay for a watch from N).
/// </summary>
public sealed class WatchSubscription : IDisposable
{
    private readonly Action<WatchSubscription> _unsubscribe;
    private readonly Channel<WatchEvent> _channel = Channel.CreateUnbounded<WatchEvent>(new UnboundedChannelOptions { SingleReader = true });
    private int _disposed;

    internal WatchSubscription(ResourceType type, bool bookmarks, Action<WatchSubscription> unsubscribe)
    {
        Type = type;
        Bookmarks = bookmarks;
        this._unsubscribe = unsubscribe;
    }

    public ResourceType Type { get; }
    public bool Bookmarks { get; }
    public IReadOnlyList<WatchEvent> Initial { get; internal set; } = [];
    public ChannelReader<WatchEvent> Reader => _channel.Reader;

    internal void Publish(WatchEvent e) => _channel.Writer.TryWrite(e);

    internal void Complete() => _channel.Writer.TryComplete();

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _unsubscribe(this);
        _channel.Writer.TryComplete();
    }
}
