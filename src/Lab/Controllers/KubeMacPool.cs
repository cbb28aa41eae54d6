using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// What KubeMacPool's webhook does when a VM is created: an interface without a MAC address gets a fresh one from
/// the pool (locally administered 02:...). Clones rely on it: they blank every MAC they do not set (reference §2).
/// </summary>
internal static class KubeMacPool
{
    public static void AssignMissing(JsonObject vm)
    {
        foreach (JsonObject iface in Obj.Items(vm["spec"]?["template"]?["spec"]?["domain"]?["devices"]?["interfaces"]))
        {
            if (string.IsNullOrEmpty(Obj.Str(iface, "macAddress")))
                iface["macAddress"] = "02:" + string.Join(":", RandomNumberGenerator.GetBytes(5).Select(b => b.ToString("x2")));
        }
    }
}
