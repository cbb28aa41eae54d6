using System.Text.Json.Nodes;
using VmSnapshot.Lab.Api;

namespace VmSnapshot.Lab.Controllers.Subresources;

/// <summary>The errors virt-api's lifecycle and agent handlers write (reference §3.3), with their singular resource names.</summary>
internal static class SubresourceErrors
{
    public static ApiException NotFound(string singular, string name)
        => new(404, Errors.Status(404, "NotFound", $"{singular}.kubevirt.io \"{name}\" not found", new JsonObject { ["name"] = name, ["group"] = "kubevirt.io", ["kind"] = singular }));

    public static ApiException Conflict(string singular, string name, string why)
        => new(409, Errors.Status(409, "Conflict", $"Operation cannot be fulfilled on {singular}.kubevirt.io \"{name}\": {why}", new JsonObject { ["name"] = name, ["group"] = "kubevirt.io", ["kind"] = singular }));

    public static ApiException Internal(string message) => Errors.Internal(message);

    public static ApiException BadRequest(string message) => Errors.BadRequest(message);
}
