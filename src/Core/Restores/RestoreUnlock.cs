using System.Text.Json;
using System.Threading.Channels;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Vms;
using VmSnapshot.Core.Watching;

namespace VmSnapshot.Core.Restores;

/// <summary>
/// The restore controller (pkg/storage/snapshot/restore.go) clears the VM's status.restoreInProgress before it sets
/// the restore's status.complete, but the two are separate writes seen through separate watches: a caller that starts
/// the VM right after "complete" must first see the lock gone, or the VM webhook refuses the runStrategy change
/// ("Cannot update VM runStrategy until restore ... completes").
/// </summary>
public static class RestoreUnlock
{
    /// <summary>Returns once the VM shows no restore in progress, watching for it when it still does.</summary>
    public static async Task WaitAsync(KubeVirtConnection connection, WatchSet watches, string @namespace, string vmName,
        CancellationToken cancelToken)
    {
        NamespaceWatch vms = await watches.ForAsync(ResourceType.VirtualMachine, @namespace, cancelToken).ConfigureAwait(false);
        ChannelReader<WatchEvent> events = vms.Subscribe(vmName);
        try
        {
            JsonElement? vm = await VmReader.GetRawAsync(connection, @namespace, vmName, cancelToken).ConfigureAwait(false);
            if (vm is { } current && RestorePlanner.RestoreInProgress(current) is not null)
            {
                await ResourceWaiter.WaitAsync(ResourceType.VirtualMachine, events, current,
                    v => RestorePlanner.RestoreInProgress(v) is null, unlocked => unlocked, (_, _) => { }, cancelToken).ConfigureAwait(false);
            }
        }
        finally
        {
            vms.Unsubscribe(vmName);
        }
    }
}
