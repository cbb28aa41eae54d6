using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Json;
using VmSnapshot.Core.Refusals;
using VmSnapshot.Core.Restores;
using VmSnapshot.Core.Snapshots;
using VmSnapshot.Core.Vms;

namespace VmSnapshot.Core.Clones;

/// <summary>
/// Works out, from the source's VM spec, what the clone must change: MAC addresses, SMBIOS serial and the Multus
/// networks the interfaces attach to (so a clone can come up isolated on a test segment).
/// </summary>
public static class ClonePlanner
{
    /// <summary>
    /// Plans a clone: the target name must be free (the real controller hangs silently on a target that exists,
    /// kubevirt/kubevirt#10935), the source must exist and be snapshottable or ready, and the network map must name
    /// the source's networks and existing targets. Returns the request to send or the refusal; nothing is written.
    /// </summary>
    public static async Task<Planned<CloneRequest>> PlanAsync(KubeVirtConnection connection, CloneOptions options,
        DateTime now, CancellationToken cancelToken)
    {
        string @namespace = options.Namespace;
        if (await VmReader.GetRawAsync(connection, @namespace, options.TargetName, cancelToken).ConfigureAwait(false) is not null)
        {
            return new Refusal(RefusalKind.CloneTargetExists,
                $"A VM named '{options.TargetName}' already exists in namespace '{@namespace}'. Nothing was cloned.", options.TargetName);
        }

        Planned<JsonElement?> source = options.SourceKind == CloneRequest.VirtualMachineKind
            ? await SourceVmSpecAsync(connection, @namespace, options.SourceName, cancelToken).ConfigureAwait(false)
            : await SourceSnapshotSpecAsync(connection, @namespace, options.SourceName, options.SourceVMName, cancelToken).ConfigureAwait(false);
        if (source.Refusal is { } refusal)
        {
            return refusal;
        }

        JsonElement spec = source.Plan!.Value;
        IReadOnlyList<string> patches;
        try
        {
            patches = NetworkPatches(spec, options.NetworkMap);
        }
        catch (UnknownNetworkException e)
        {
            return new Refusal(RefusalKind.NetworkNotFound,
                $"Cannot map the networks of '{options.SourceName}': {e.Message} Nothing was cloned.", e.Network);
        }

        IReadOnlyList<string> missing = await NetworkTargets.MissingAsync(connection, @namespace, options.NetworkMap.Values, cancelToken)
            .ConfigureAwait(false);
        if (missing.Count > 0)
        {
            return new Refusal(RefusalKind.TargetNetworkNotFound,
                $"-NetworkMap points the clone at networks that do not exist: {string.Join(", ", missing)}. The clone could not start on them. Nothing was cloned.",
                string.Join(", ", missing));
        }

        return new CloneRequest(SnapshotNaming.ForClone(options.TargetName, now), @namespace, options.SourceKind,
            options.SourceName, options.TargetName, options.LabelFilters, options.AnnotationFilters,
            MacAddresses(spec, options.NewMacAddresses), SmbiosSerial(spec, options.NewSMBiosSerial), patches);
    }

    /// <summary>The source VM's spec; refused when it does not exist or has a disk that cannot be snapshotted.</summary>
    private static async Task<Planned<JsonElement?>> SourceVmSpecAsync(KubeVirtConnection connection, string @namespace,
        string vmName, CancellationToken cancelToken)
    {
        JsonElement? vm = await VmReader.GetRawAsync(connection, @namespace, vmName, cancelToken).ConfigureAwait(false);
        if (vm is not { } found)
        {
            return new Refusal(RefusalKind.CloneSourceNotFound,
                $"No VM named '{vmName}' was found in namespace '{@namespace}'. Nothing was cloned.", vmName);
        }

        // The controller waits forever (event VMVolumeSnapshotsInvalid) when a disk cannot be snapshotted: say so now.
        KubeVirtVMVolume[] blocked = VmMapper.FromJson(found, null, null, null).Volumes
            .Where(v => v.Type is "persistentVolumeClaim" or "dataVolume" && !v.SnapshotEnabled).ToArray();
        if (blocked.Length > 0)
        {
            return new Refusal(RefusalKind.VolumesNotCaptured,
                $"VM '{vmName}' cannot be cloned: {string.Join("; ", blocked.Select(v => $"volume '{v.Name}' does not support snapshots ({v.SnapshotReason ?? "unknown"})"))}. " +
                "A clone copies every disk through a snapshot. Nothing was cloned.", vmName);
        }

        return new Planned<JsonElement?>(found.Child("spec").Clone(), null);
    }

    /// <summary>The VM spec the snapshot holds; refused when the snapshot does not exist or is not ready.</summary>
    private static async Task<Planned<JsonElement?>> SourceSnapshotSpecAsync(KubeVirtConnection connection, string @namespace,
        string snapshotName, string? vmName, CancellationToken cancelToken)
    {
        KubeVirtVMSnapshot? snapshot = await SnapshotReader.GetAsync(connection, @namespace, snapshotName, cancelToken).ConfigureAwait(false);
        if (snapshot is null || (vmName is not null && !string.Equals(snapshot.VMName, vmName, StringComparison.OrdinalIgnoreCase)))
        {
            // A row that names the snapshot's VM is about that VM's snapshot: one of the same name of another VM is not it.
            return new Refusal(RefusalKind.CloneSourceNotFound,
                $"No VM snapshot named '{snapshotName}'{(vmName is null ? string.Empty : $" of VM '{vmName}'")} was found in " +
                $"namespace '{@namespace}'. Nothing was cloned.", snapshotName);
        }

        if (RestorePlanner.CheckSnapshot(snapshot, "Nothing was cloned.") is { } unusable)
        {
            return unusable;
        }

        JsonElement spec = await RestoreWriter.SnapshotVmSpecAsync(connection, @namespace, snapshot.ContentName, cancelToken).ConfigureAwait(false)
            ?? throw new KubeApiException(ApiErrorKind.NotFound, $"The content of snapshot '{snapshotName}' was not found.",
                new ApiRequest("get", ResourceType.VirtualMachineSnapshotContent, @namespace, snapshot.ContentName));
        return new Planned<JsonElement?>(spec, null);
    }

    /// <summary>
    /// JSON-patch strings that re-point networks attached to a Multus network in <paramref name="networkMap"/> (old →
    /// new). Throws <see cref="UnknownNetworkException"/> naming the VM's networks when a key matches none of them.
    /// </summary>
    public static IReadOnlyList<string> NetworkPatches(JsonElement vmSpec, IReadOnlyDictionary<string, string> networkMap)
    {
        JsonElement[] networks = vmSpec.Child("template").Child("spec").Child("networks").EnumerateArraySafe().ToArray();
        List<string> patches = new();
        foreach ((string from, string to) in networkMap)
        {
            bool matched = false;
            for (int index = 0; index < networks.Length; index++)
            {
                string? attached = networks[index].Child("multus").String("networkName");
                if (attached is not null && (attached == from || attached.EndsWith("/" + from, StringComparison.Ordinal)))
                {
                    matched = true;
                    patches.Add(new JsonObject
                    {
                        ["op"] = "replace",
                        ["path"] = $"/spec/template/spec/networks/{index}/multus/networkName",
                        ["value"] = to,
                    }.ToJsonString());
                }
            }

            if (!matched)
            {
                string known = string.Join(", ", networks.Select(n => n.Child("multus").String("networkName") ?? $"{n.String("name")} (pod network)"));
                throw new UnknownNetworkException(from, $"The VM has no interface on the network '{from}'; its networks are: {(known.Length == 0 ? "none" : known)}.");
            }
        }

        return patches;
    }

    /// <summary>New MACs for every interface, or (keep) the MACs the interfaces have now.</summary>
    public static IReadOnlyDictionary<string, string> MacAddresses(JsonElement vmSpec, bool newAddresses)
    {
        Dictionary<string, string> macs = new(StringComparer.Ordinal);
        foreach (JsonElement iface in vmSpec.Child("template").Child("spec").Child("domain").Child("devices").Child("interfaces").EnumerateArraySafe())
        {
            string? name = iface.String("name");
            string? current = iface.String("macAddress");
            if (name is null)
            {
                continue;
            }

            if (newAddresses)
            {
                macs[name] = Restores.MacAddresses.NewLocal();
            }
            else if (current is not null)
            {
                macs[name] = current;
            }
        }

        return macs;
    }

    /// <summary>A new SMBIOS serial, or (keep) the one the VM has now (null when it has none).</summary>
    public static string? SmbiosSerial(JsonElement vmSpec, bool newSerial) =>
        newSerial
            ? Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant()
            : vmSpec.Child("template").Child("spec").Child("domain").Child("firmware").String("serial");

    /// <summary>A -NetworkMap key that names none of the VM's networks (the refusal's target is that key).</summary>
    internal sealed class UnknownNetworkException(string network, string message) : KeyNotFoundException(message)
    {
        public string Network { get; } = network;
    }
}
