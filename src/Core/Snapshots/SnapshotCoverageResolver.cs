using System.Collections.Concurrent;
using System.Text.Json;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;
using VmSnapshot.Core.Vms;

namespace VmSnapshot.Core.Snapshots;

/// <summary>
/// Settles <see cref="KubeVirtVMSnapshot.Coverage"/> where the snapshot alone cannot (it left volumes out and the
/// cluster predates the PartialSnapshot indication of KubeVirt 1.9), by reading the kind of those volumes from the
/// VM's spec. At most one GET per VM, and none for snapshots that are already decided. A VM that is gone, or that
/// cannot be read (forbidden, a server error), leaves the coverage Unknown: an honest answer, never a guess of AllDisks. Safe to share
/// between concurrent operations of one command.
/// </summary>
public sealed class SnapshotCoverageResolver
{
    private readonly KubeVirtConnection _connection;
    private readonly ConcurrentDictionary<string, Task<JsonElement?>> _vms = new(StringComparer.Ordinal);

    public SnapshotCoverageResolver(KubeVirtConnection connection) => _connection = connection;

    /// <summary>Sets the snapshot's coverage from its VM when it needs one; returns the snapshot.</summary>
    public async Task<KubeVirtVMSnapshot> ResolveAsync(KubeVirtVMSnapshot snapshot, CancellationToken cancelToken)
    {
        if (!CoverageRules.NeedsVm(snapshot) || string.IsNullOrWhiteSpace(snapshot.VMName) ||
            string.IsNullOrWhiteSpace(snapshot.Namespace))
        {
            return snapshot;
        }

        Task<JsonElement?> read = _vms.GetOrAdd($"{snapshot.Namespace}/{snapshot.VMName}",
            _ => ReadVmAsync(snapshot.Namespace, snapshot.VMName, cancelToken));
        if (await read.ConfigureAwait(false) is { } vm)
        {
            snapshot.Coverage = CoverageRules.Refine(snapshot, vm);
        }

        return snapshot;
    }

    private async Task<JsonElement?> ReadVmAsync(string @namespace, string name, CancellationToken cancelToken)
    {
        try
        {
            return await VmReader.GetRawAsync(_connection, @namespace, name, cancelToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KubeApiException or InvalidNameException)
        {
            // Forbidden (may read snapshots but not VMs), the server failed, or spec.source.name is no name a VM can
            // have (nothing is sent for it): the coverage stays Unknown, which is the truth for this caller. Reading
            // the snapshot itself worked, so listing it must not fail for this.
            return null;
        }
    }
}
