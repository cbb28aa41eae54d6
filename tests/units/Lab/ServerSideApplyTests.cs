using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using VmSnapshot.Lab;
using Xunit;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Lab;

/// <summary>Server-side apply through KubernetesClient: ownership, conflicts, force, removal of dropped fields.</summary>
public sealed class ServerSideApplyTests : IDisposable
{
    private readonly LabServer _lab = StartLab("empty");
    private readonly Kubernetes _client;

    public ServerSideApplyTests() => _client = Client(_lab);

    public void Dispose()
    {
        _client.Dispose();
        _lab.Dispose();
    }

    private static string Config(string runStrategy, string? label = null)
        => "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"ssa\"" + (label == null ? "" : ",\"labels\":{\"team\":\"" + label + "\"}")
           + "},\"spec\":{\"runStrategy\":\"" + runStrategy + "\"}}";

    private async Task<JsonElement> Apply(string body, string manager, bool? force = null)
        => (JsonElement)await _client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(body, V1Patch.PatchType.ApplyPatch),
            "kubevirt.io", "v1", "default", "virtualmachines", "ssa", fieldManager: manager, force: force);

    private static List<string?> Managers(JsonElement o)
        => o.GetProperty("metadata").GetProperty("managedFields").EnumerateArray().Select(e => e.GetProperty("manager").GetString()).ToList();

    [Fact]
    public async Task AnotherManagerConflictsUnlessForced()
    {
        JsonElement created = await Apply(Config("Halted", "a"), "alice");
        Assert.Equal(["alice"], Managers(created));
        Assert.Equal("Apply", created.GetProperty("metadata").GetProperty("managedFields")[0].GetProperty("operation").GetString());
        Assert.True(created.GetProperty("metadata").GetProperty("managedFields")[0].GetProperty("fieldsV1").GetProperty("f:spec").TryGetProperty("f:runStrategy", out _));

        // Same value: shared ownership, no conflict.
        await Apply(Config("Halted"), "bob");
        HttpOperationException ex = await Assert.ThrowsAsync<HttpOperationException>(() => Apply(Config("Always"), "bob"));
        V1Status status = KubernetesJson.Deserialize<V1Status>(ex.Response.Content);
        Assert.Equal(409, status.Code);
        Assert.Equal("Conflict", status.Reason);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"alice\": .spec.runStrategy", status.Message);
        Assert.Equal("FieldManagerConflict", status.Details.Causes[0].Reason);
        Assert.Equal(".spec.runStrategy", status.Details.Causes[0].Field);

        JsonElement forced = await Apply(Config("Always"), "bob", force: true);
        Assert.Equal("Always", forced.GetProperty("spec").GetProperty("runStrategy").GetString());
    }

    [Fact]
    public async Task FieldsDroppedFromTheConfigurationAreRemoved()
    {
        JsonElement first = await Apply(Config("Halted", "a"), "alice");
        Assert.Equal("a", first.GetProperty("metadata").GetProperty("labels").GetProperty("team").GetString());
        JsonElement second = await Apply(Config("Halted"), "alice");
        Assert.False(second.GetProperty("metadata").TryGetProperty("labels", out _));
        Assert.Equal(first.GetProperty("metadata").GetProperty("uid").GetString(), second.GetProperty("metadata").GetProperty("uid").GetString());
        // Applying the same configuration again is a no-op.
        JsonElement third = await Apply(Config("Halted"), "alice");
        Assert.Equal(second.GetProperty("metadata").GetProperty("resourceVersion").GetString(), third.GetProperty("metadata").GetProperty("resourceVersion").GetString());
    }

    [Fact]
    public async Task UpdatesTakeOwnershipAndThenConflictWithApply()
    {
        await Apply(Config("Halted"), "alice");
        await _client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch("{\"spec\":{\"runStrategy\":\"Manual\"}}", V1Patch.PatchType.MergePatch),
            "kubevirt.io", "v1", "default", "virtualmachines", "ssa", fieldManager: "editor");
        HttpOperationException ex = await Assert.ThrowsAsync<HttpOperationException>(() => Apply(Config("Halted"), "alice"));
        V1Status status = KubernetesJson.Deserialize<V1Status>(ex.Response.Content);
        Assert.Matches("^Apply failed with 1 conflict: conflict with \"editor\" using kubevirt.io/v1 at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ: \\.spec\\.runStrategy$", status.Message);
    }
}
