using System.Text.Json;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Snapshots;

/// <summary>
/// Which snapshots a restore or clone in progress reads from. KubeVirt does not stop a snapshot from being deleted
/// under a running VirtualMachineRestore or VirtualMachineClone (the restore then fails midway, with the target's
/// claims half replaced), so the module checks before it deletes.
/// </summary>
public static class SnapshotUsage
{
    /// <summary>"namespace/snapshot" to a description of the restore or clone using it, for the given namespaces.</summary>
    public static async Task<Dictionary<string, string>> InUseAsync(KubeVirtConnection connection,
        IEnumerable<string> namespaces, CancellationToken cancelToken)
    {
        KubeClientHandle handle = ConnectionFactory.ClientFor(connection);
        Dictionary<string, string> inUse = new(StringComparer.Ordinal);
        foreach (string @namespace in namespaces.Distinct(StringComparer.Ordinal))
        {
            await foreach (JsonElement restore in CustomResources.ListAsync(handle.Client, ResourceType.VirtualMachineRestore,
                               @namespace, null, null, SnapshotReader.DefaultPageSize, cancelToken).ConfigureAwait(false))
            {
                // status.complete is set once the restore is done (pkg/storage/snapshot/restore.go, updateRestoreStatus).
                if (!restore.Child("status").IsTrue("complete") && restore.Child("spec").String("virtualMachineSnapshotName") is { } snapshot)
                {
                    inUse[$"{@namespace}/{snapshot}"] = $"restore '{restore.Child("metadata").String("name")}' in progress";
                }
            }

            await foreach (JsonElement clone in CustomResources.ListAsync(handle.Client, ResourceType.VirtualMachineClone,
                               @namespace, null, null, SnapshotReader.DefaultPageSize, cancelToken).ConfigureAwait(false))
            {
                // A clone reads its source snapshot, or the temporary snapshot it took of its source VM (status.snapshotName),
                // until it reaches Succeeded or Failed (pkg/virt-controller/watch/clone/clone.go).
                if (clone.Child("status").String("phase") is "Succeeded" or "Failed")
                {
                    continue;
                }

                string what = $"clone '{clone.Child("metadata").String("name")}' in progress";
                JsonElement source = clone.Child("spec").Child("source");
                if (source.String("kind") == "VirtualMachineSnapshot" && source.String("name") is { } sourceSnapshot)
                {
                    inUse[$"{@namespace}/{sourceSnapshot}"] = what;
                }

                if (clone.Child("status").String("snapshotName") is { } taken)
                {
                    inUse[$"{@namespace}/{taken}"] = what;
                }
            }
        }

        return inUse;
    }
}
