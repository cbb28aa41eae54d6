using System.Text.Json;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;
using VmSnapshot.Core.Vms;

namespace VmSnapshot.Core.Snapshots;

/// <summary>
/// Settles <see cref="KubeVirtVMSnapshot.Coverage"/> where the snapshot alone cannot (it left volumes out and the
/// cluster predates the PartialSnapshot indication, or reports no more), by reading the kind of those volumes from the
/// VM's spec. At most one GET per VM, and none for snapshots that are already decided. A VM that is gone, or that the
/// caller may not read, leaves the coverage Unknown: an honest answer, never a guess of AllDisks.
/// </summary>
public sealed class SnapshotCoverageResolver
{
    private readonly KubeVirtConnection _connection;
    private readonly Dictionary<string, JsonElement?> _vms = new(StringComparer.Ordinal);
    private readonly HashSet<string> _forbiddenNamespaces = new(StringComparer.Ordinal);

    public SnapshotCoverageResolver(KubeVirtConnection connection) => _connection = connection;

    /// <summary>Sets the snapshot's coverage from its VM when it needs one; returns the snapshot.</summary>
    public async Task<KubeVirtVMSnapshot> ResolveAsync(KubeVirtVMSnapshot snapshot, CancellationToken cancelToken)
    {
        if (!CoverageRules.NeedsVm(snapshot) || snapshot.VMName.Length == 0 ||
            _forbiddenNamespaces.Contains(snapshot.Namespace))
        {
            return snapshot;
        }

        string key = $"{snapshot.Namespace}/{snapshot.VMName}";
        if (!_vms.TryGetValue(key, out JsonElement? vm))
        {
            try
            {
                vm = await VmReader.GetRawAsync(_connection, snapshot.Namespace, snapshot.VMName, cancelToken)
                    .ConfigureAwait(false);
            }
            catch (KubeApiException e) when (e.Kind == ApiErrorKind.Forbidden)
            {
                // May read snapshots but not VMs: the coverage stays Unknown for this whole namespace.
                _forbiddenNamespaces.Add(snapshot.Namespace);
                return snapshot;
            }

            _vms[key] = vm;
        }

        if (vm is { } found)
        {
            snapshot.Coverage = CoverageRules.Refine(snapshot, found);
        }

        return snapshot;
    }

    /// <summary>Sets the coverage from a VM already read (no request).</summary>
    public static KubeVirtVMSnapshot ResolveWith(KubeVirtVMSnapshot snapshot, JsonElement vm)
    {
        snapshot.Coverage = CoverageRules.Refine(snapshot, vm);
        return snapshot;
    }
}
