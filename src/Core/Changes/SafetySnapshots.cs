using VmSnapshot.Core.Api;
using VmSnapshot.Core.Snapshots;

namespace VmSnapshot.Core.Changes;

/// <summary>Finds the safety snapshots a change took (by its labels), for -Phase Post.</summary>
public static class SafetySnapshots
{
    /// <summary>The newest safety snapshot of <paramref name="changeId"/> for the VM, or null.</summary>
    public static async Task<KubeVirtVMSnapshot?> FindAsync(KubeVirtConnection connection, string @namespace, string vmName,
        string changeId, CancellationToken cancelToken)
    {
        string selector = LabelSelector.Equality(new Dictionary<string, string>
        {
            [ChangeLabels.Purpose] = ChangeLabels.SafetySnapshot,
            [ChangeLabels.ChangeId] = changeId,
        })!;
        KubeVirtVMSnapshot? newest = null;
        await foreach (KubeVirtVMSnapshot snapshot in SnapshotReader.ListAsync(connection, @namespace, selector, cancelToken: cancelToken)
                           .ConfigureAwait(false))
        {
            if (snapshot.VMName == vmName && (newest is null || newest.CreationTime < snapshot.CreationTime))
            {
                newest = snapshot;
            }
        }

        return newest;
    }
}
