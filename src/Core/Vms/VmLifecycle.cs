using System.Net.Http;
using System.Text.Json.Nodes;
using VmSnapshot.Core.Api;

namespace VmSnapshot.Core.Vms;

/// <summary>Starts and stops VMs through KubeVirt's subresources, as virtctl start/stop do (kubevirt-api.md §3.3).</summary>
public static class VmLifecycle
{
    private static readonly ResourceType s_startStop =
        new("subresources.kubevirt.io", "v1", "virtualmachines", "VirtualMachine");

    /// <summary>PUT …/virtualmachines/{name}/start (202 Accepted).</summary>
    public static Task StartAsync(KubeVirtConnection connection, string @namespace, string name, CancellationToken cancelToken) =>
        RawApi.SendAsync(connection, HttpMethod.Put, Path(@namespace, name, "start"), new JsonObject(),
            new ApiRequest("update", s_startStop with { Plural = "virtualmachines/start" }, @namespace, name), cancelToken);

    /// <summary>PUT …/virtualmachines/{name}/stop (202 Accepted).</summary>
    public static Task StopAsync(KubeVirtConnection connection, string @namespace, string name, CancellationToken cancelToken) =>
        RawApi.SendAsync(connection, HttpMethod.Put, Path(@namespace, name, "stop"), new JsonObject(),
            new ApiRequest("update", s_startStop with { Plural = "virtualmachines/stop" }, @namespace, name), cancelToken);

    private static string Path(string @namespace, string name, string action) =>
        $"apis/subresources.kubevirt.io/v1/namespaces/{Uri.EscapeDataString(@namespace)}/virtualmachines/{Uri.EscapeDataString(name)}/{action}";
}
