using System.Text.Json;
using System.Threading.Channels;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Watching;

namespace VmSnapshot.Core.Snapshots;

/// <summary>Follows one snapshot through a shared namespace watch until it is final.</summary>
public static class SnapshotWaiter
{
    /// <summary>Waits until the snapshot's <see cref="SnapshotProgress.IsFinal"/>; see <see cref="ResourceWaiter"/>.</summary>
    public static Task<JsonElement> WaitAsync(ChannelReader<WatchEvent> events,
        JsonElement initial, Action<SnapshotProgress, JsonElement> onProgress, CancellationToken cancelToken) =>
        ResourceWaiter.WaitAsync(ResourceType.VirtualMachineSnapshot, events, initial,
            SnapshotProgressRules.Evaluate, p => p.IsFinal, onProgress, cancelToken);
}
