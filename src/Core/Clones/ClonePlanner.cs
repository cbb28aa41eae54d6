using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using VmSnapshot.Core.Json;
using VmSnapshot.Core.Restores;

namespace VmSnapshot.Core.Clones;

/// <summary>
/// Works out, from the source's VM spec, what the clone must change: MAC addresses, SMBIOS serial and the Multus
/// networks the interfaces attach to (so a clone can come up isolated on a test segment).
/// </summary>
public static class ClonePlanner
{
    /// <summary>
    /// JSON-patch strings that re-point networks attached to a Multus network in <paramref name="networkMap"/> (old →
    /// new). Throws <see cref="KeyNotFoundException"/> naming the VM's networks when a key matches none of them.
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
                throw new KeyNotFoundException($"The VM has no interface on the network '{from}'; its networks are: {(known.Length == 0 ? "none" : known)}.");
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
}
