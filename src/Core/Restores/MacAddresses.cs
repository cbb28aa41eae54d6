using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using VmSnapshot.Core.Json;

namespace VmSnapshot.Core.Restores;

/// <summary>
/// New MAC addresses for a VM restored or cloned beside its original, so the two never share one on a network.
/// </summary>
public static class MacAddresses
{
    /// <summary>
    /// A random, locally administered, unicast MAC. Written with dashes: KubeVirt's restore webhook splits each patch
    /// on ':' and refuses values that contain one (kubevirt-api.md §4.2), and KubeVirt accepts the dashed form.
    /// </summary>
    public static string NewLocal()
    {
        byte[] bytes = RandomNumberGenerator.GetBytes(6);
        bytes[0] = (byte)((bytes[0] & 0xFC) | 0x02); // unicast, locally administered
        return string.Join('-', bytes.Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>The interface names of a VM spec (spec.template.spec.domain.devices.interfaces).</summary>
    public static IReadOnlyList<string> InterfaceNames(JsonElement vmSpec) =>
        vmSpec.Child("template").Child("spec").Child("domain").Child("devices").Child("interfaces").EnumerateArraySafe()
            .Select(i => i.String("name") ?? string.Empty).ToArray();

    /// <summary>JSON-patch strings that give every interface a new MAC, in the form the restore webhook accepts.</summary>
    public static IReadOnlyList<string> NewMacPatches(JsonElement vmSpec) =>
        InterfaceNames(vmSpec).Select((_, index) => new JsonObject
        {
            ["op"] = "add",
            ["path"] = $"/spec/template/spec/domain/devices/interfaces/{index}/macAddress",
            ["value"] = NewLocal(),
        }.ToJsonString()).ToArray();
}
