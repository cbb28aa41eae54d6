using System.Net.Http;
using System.Text.Json;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;

namespace VmSnapshot.Core.Quiesce;

/// <summary>Reads the guestosinfo subresource: what the QEMU guest agent says about itself and the guest.</summary>
internal static class GuestInfoReader
{
    public static async Task<GuestInfoAnswer> ReadAsync(KubeVirtConnection connection, string @namespace, string name,
        CancellationToken cancelToken)
    {
        ApiRequest request = new("get", QuiesceResources.GuestOsInfo, @namespace, name);
        try
        {
            JsonElement? info = await RawApi.SendAsync(connection, HttpMethod.Get,
                QuiesceResources.VmiSubresourcePath(@namespace, name, "guestosinfo"), null, request, cancelToken)
                .ConfigureAwait(false);
            return info is { } found ? GuestInfoAnswer.Of(found) : GuestInfoAnswer.Failed("guestosinfo answered with an empty body");
        }
        catch (KubeApiException e) when (e.Kind is not ApiErrorKind.Unauthorized && !e.IsConnectionFailure)
        {
            // virt-api answers "not running" or "no agent connected" as a plain-text 500: a finding, not a failure.
            return GuestInfoAnswer.Failed(e.Message, forbidden: e.Kind == ApiErrorKind.Forbidden);
        }
        catch (JsonException e)
        {
            return GuestInfoAnswer.Failed($"guestosinfo answered something that is not JSON: {e.Message}");
        }
    }
}
