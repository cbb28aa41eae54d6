using System.Text.Json;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;
using VmSnapshot.Core.Json;
using VmSnapshot.Core.Snapshots;

namespace VmSnapshot.Core.Vms;

/// <summary>
/// Reads VMs with what an admin wants to see next to them: guest agent (from the running instance) and the newest
/// snapshot. Per namespace this is three list calls (VMs, instances, snapshots), whatever the number of VMs.
/// </summary>
public static class VmReader
{
    /// <summary>Lists the VMs of one namespace, or of all when <paramref name="namespace"/> is null.</summary>
    public static async Task<IReadOnlyList<KubeVirtVM>> ListAsync(KubeVirtConnection connection, string? @namespace,
        string? labelSelector, Func<string, bool> nameFilter, CancellationToken cancelToken)
    {
        KubeClientHandle handle = ConnectionFactory.ClientFor(connection);
        List<JsonElement> vms = new();
        await foreach (JsonElement vm in CustomResources.ListAsync(handle.Client, ResourceType.VirtualMachine,
                           @namespace, labelSelector, null, SnapshotReader.DefaultPageSize, cancelToken).ConfigureAwait(false))
        {
            if (nameFilter(vm.Child("metadata").String("name") ?? string.Empty))
            {
                vms.Add(vm);
            }
        }

        if (vms.Count == 0)
        {
            return Array.Empty<KubeVirtVM>();
        }

        Dictionary<string, JsonElement> instances = new(StringComparer.Ordinal);
        await foreach (JsonElement vmi in CustomResources.ListAsync(handle.Client, ResourceType.VirtualMachineInstance,
                           @namespace, null, null, SnapshotReader.DefaultPageSize, cancelToken).ConfigureAwait(false))
        {
            instances[Key(vmi)] = vmi;
        }

        // The newest snapshot that can be restored: a failed or unfinished one is no rollback point.
        Dictionary<string, KubeVirtVMSnapshot> latest = await SnapshotReader.LatestPerVmAsync(connection, @namespace,
            snapshot => snapshot.ReadyToUse, cancelToken).ConfigureAwait(false);

        string context = connection.Origin;
        return vms.Select(vm =>
        {
            string key = Key(vm);
            JsonElement? vmi = instances.TryGetValue(key, out JsonElement found) ? found : null;
            return VmMapper.FromJson(vm, vmi, latest.GetValueOrDefault(key), context);
        }).ToArray();
    }

    /// <summary>Gets one VM's raw object; null when it does not exist.</summary>
    public static Task<JsonElement?> GetRawAsync(KubeVirtConnection connection, string @namespace, string name,
        CancellationToken cancelToken) =>
        CustomResources.GetAsync(ConnectionFactory.ClientFor(connection).Client, ResourceType.VirtualMachine,
            @namespace, name, cancelToken);

    private static string Key(JsonElement item) =>
        $"{item.Child("metadata").String("namespace")}/{item.Child("metadata").String("name")}";
}
