using System.Text.Json;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;
using VmSnapshot.Core.Json;
using VmSnapshot.Core.Vms;

namespace VmSnapshot.Core.Health;

/// <summary>
/// Reads what the health rules judge for one VM: the VM, its instance, and each claim and DataVolume its volumes
/// use. A VM has a handful of disks, so single GETs cost less than listing claims of a whole namespace.
/// </summary>
public static class HealthReader
{
    /// <summary>The inputs for <paramref name="vmName"/>, or null when the VM does not exist.</summary>
    public static async Task<HealthInputs?> ReadAsync(KubeVirtConnection connection, string @namespace, string vmName,
        CancellationToken cancelToken)
    {
        JsonElement? vm = await VmReader.GetRawAsync(connection, @namespace, vmName, cancelToken).ConfigureAwait(false);
        if (vm is not { } found)
        {
            return null;
        }

        KubeClientHandle handle = ConnectionFactory.ClientFor(connection);
        JsonElement? vmi = await CustomResources.GetAsync(handle.Client, ResourceType.VirtualMachineInstance, @namespace, vmName,
            cancelToken).ConfigureAwait(false);

        Dictionary<string, JsonElement?> claims = new(StringComparer.Ordinal);
        Dictionary<string, JsonElement?> dataVolumes = new(StringComparer.Ordinal);
        foreach (JsonElement volume in found.Child("spec").Child("template").Child("spec").Child("volumes").EnumerateArraySafe())
        {
            if (volume.Child("persistentVolumeClaim").String("claimName") is { Length: > 0 } claim && !claims.ContainsKey(claim))
            {
                claims[claim] = await ClaimAsync(connection, @namespace, claim, cancelToken).ConfigureAwait(false);
            }
            else if (volume.Child("dataVolume").String("name") is { Length: > 0 } dv && !dataVolumes.ContainsKey(dv))
            {
                // A DataVolume fills a claim of the same name (CDI's naming).
                dataVolumes[dv] = await CustomResources.GetAsync(handle.Client, ResourceType.DataVolume, @namespace, dv, cancelToken)
                    .ConfigureAwait(false);
                claims[dv] = await ClaimAsync(connection, @namespace, dv, cancelToken).ConfigureAwait(false);
            }
        }

        return new HealthInputs(found, vmi, claims, dataVolumes);
    }

    private static async Task<JsonElement?> ClaimAsync(KubeVirtConnection connection, string @namespace, string name,
        CancellationToken cancelToken)
    {
        try
        {
            return await RawApi.SendAsync(connection, HttpMethod.Get,
                $"/api/v1/namespaces/{Uri.EscapeDataString(@namespace)}/persistentvolumeclaims/{Uri.EscapeDataString(name)}", null,
                new ApiRequest("get", ResourceType.PersistentVolumeClaim, @namespace, name), cancelToken).ConfigureAwait(false);
        }
        catch (KubeApiException e) when (e.Kind == ApiErrorKind.NotFound)
        {
            return null;
        }
    }
}
