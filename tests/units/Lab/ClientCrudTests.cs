using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using VmSnapshot.Lab;
using Xunit;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Lab;

/// <summary>Create, read, update, patch, delete and paging through KubernetesClient 21.0.8.</summary>
public sealed class ClientCrudTests : IDisposable
{
    private readonly LabServer _lab = StartLab();
    private readonly Kubernetes _client;

    public ClientCrudTests() => _client = Client(_lab);

    public void Dispose()
    {
        _client.Dispose();
        _lab.Dispose();
    }

    private static object Vm(string name, string runStrategy = "Halted") => new Dictionary<string, object>
    {
        ["apiVersion"] = "kubevirt.io/v1",
        ["kind"] = "VirtualMachine",
        ["metadata"] = new Dictionary<string, object> { ["name"] = name, ["labels"] = new Dictionary<string, string> { ["app"] = "demo" } },
        ["spec"] = new Dictionary<string, object> { ["runStrategy"] = runStrategy },
    };

    private static JsonElement J(object o) => (JsonElement)o;

    private static V1Status StatusOf(HttpOperationException ex) => KubernetesJson.Deserialize<V1Status>(ex.Response.Content);

    [Fact]
    public async Task CreateSetsSystemFieldsAndGetReturnsTheObject()
    {
        long before = _lab.Store.ResourceVersion;
        JsonElement created = J(await _client.CustomObjects.CreateNamespacedCustomObjectAsync(Vm("vm1"), "kubevirt.io", "v1", "vms", "virtualmachines"));
        JsonElement meta = created.GetProperty("metadata");
        Assert.True(Guid.TryParse(meta.GetProperty("uid").GetString(), out _));
        Assert.Equal(1, meta.GetProperty("generation").GetInt64());
        Assert.Equal((before + 1).ToString(), meta.GetProperty("resourceVersion").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", meta.GetProperty("creationTimestamp").GetString());
        Assert.Equal("vms", meta.GetProperty("namespace").GetString());

        JsonElement got = J(await _client.CustomObjects.GetNamespacedCustomObjectAsync("kubevirt.io", "v1", "vms", "virtualmachines", "vm1"));
        Assert.Equal(meta.GetProperty("uid").GetString(), got.GetProperty("metadata").GetProperty("uid").GetString());
        Assert.Equal("Halted", got.GetProperty("spec").GetProperty("runStrategy").GetString());
    }

    [Fact]
    public async Task CreateIgnoresStatusAndGenerationFollowsSpecChangesOnly()
    {
        Dictionary<string, object> vm = (Dictionary<string, object>)Vm("gen");
        vm["status"] = new Dictionary<string, object> { ["printableStatus"] = "Running" };
        JsonElement created = J(await _client.CustomObjects.CreateNamespacedCustomObjectAsync(vm, "kubevirt.io", "v1", "vms", "virtualmachines"));
        Assert.False(created.TryGetProperty("status", out _));

        JsonElement patchedStatus = J(await _client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("{\"status\":{\"printableStatus\":\"Stopped\"}}", V1Patch.PatchType.MergePatch), "kubevirt.io", "v1", "vms", "virtualmachines", "gen"));
        Assert.Equal("Stopped", patchedStatus.GetProperty("status").GetProperty("printableStatus").GetString());
        Assert.Equal(1, patchedStatus.GetProperty("metadata").GetProperty("generation").GetInt64());

        // The main resource ignores status; a spec change bumps generation.
        JsonElement patched = J(await _client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("{\"spec\":{\"runStrategy\":\"Always\"},\"status\":{\"printableStatus\":\"Hacked\"}}", V1Patch.PatchType.MergePatch), "kubevirt.io", "v1", "vms", "virtualmachines", "gen"));
        Assert.Equal("Always", patched.GetProperty("spec").GetProperty("runStrategy").GetString());
        Assert.Equal("Stopped", patched.GetProperty("status").GetProperty("printableStatus").GetString());
        Assert.Equal(2, patched.GetProperty("metadata").GetProperty("generation").GetInt64());

        // Labels are metadata: no generation bump.
        JsonElement labelled = J(await _client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("{\"metadata\":{\"labels\":{\"tier\":\"gold\"}}}", V1Patch.PatchType.MergePatch), "kubevirt.io", "v1", "vms", "virtualmachines", "gen"));
        Assert.Equal(2, labelled.GetProperty("metadata").GetProperty("generation").GetInt64());
        Assert.Equal("gold", labelled.GetProperty("metadata").GetProperty("labels").GetProperty("tier").GetString());
    }

    [Fact]
    public async Task NoOpPatchKeepsTheResourceVersion()
    {
        JsonElement created = J(await _client.CustomObjects.CreateNamespacedCustomObjectAsync(Vm("noop"), "kubevirt.io", "v1", "vms", "virtualmachines"));
        string? rv = created.GetProperty("metadata").GetProperty("resourceVersion").GetString();
        long global = _lab.Store.ResourceVersion;
        JsonElement same = J(await _client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("{\"spec\":{\"runStrategy\":\"Halted\"}}", V1Patch.PatchType.MergePatch), "kubevirt.io", "v1", "vms", "virtualmachines", "noop"));
        Assert.Equal(rv, same.GetProperty("metadata").GetProperty("resourceVersion").GetString());
        Assert.Equal(global, _lab.Store.ResourceVersion);
    }

    [Fact]
    public async Task ReplaceChecksTheResourceVersion()
    {
        JsonElement created = J(await _client.CustomObjects.CreateNamespacedCustomObjectAsync(Vm("rep"), "kubevirt.io", "v1", "vms", "virtualmachines"));
        Dictionary<string, object> body = JsonSerializer.Deserialize<Dictionary<string, object>>(created.GetRawText())!;
        JsonElement replaced = J(await _client.CustomObjects.ReplaceNamespacedCustomObjectAsync(body, "kubevirt.io", "v1", "vms", "virtualmachines", "rep"));
        Assert.Equal(created.GetProperty("metadata").GetProperty("resourceVersion").GetString(), replaced.GetProperty("metadata").GetProperty("resourceVersion").GetString());

        await _client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch("{\"spec\":{\"runStrategy\":\"Always\"}}", V1Patch.PatchType.MergePatch), "kubevirt.io", "v1", "vms", "virtualmachines", "rep");
        HttpOperationException ex = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CustomObjects.ReplaceNamespacedCustomObjectAsync(body, "kubevirt.io", "v1", "vms", "virtualmachines", "rep"));
        V1Status status = StatusOf(ex);
        Assert.Equal(409, status.Code);
        Assert.Equal("Conflict", status.Reason);
        Assert.Equal("Operation cannot be fulfilled on virtualmachines.kubevirt.io \"rep\": the object has been modified; please apply your changes to the latest version and try again", status.Message);
        Assert.Equal("virtualmachines", status.Details.Kind);
        Assert.Equal("kubevirt.io", status.Details.Group);
    }

    [Fact]
    public async Task JsonPatchAndServerSideApplyWork()
    {
        await _client.CustomObjects.CreateNamespacedCustomObjectAsync(Vm("jp"), "kubevirt.io", "v1", "vms", "virtualmachines");
        JsonElement jp = J(await _client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("[{\"op\":\"replace\",\"path\":\"/spec/runStrategy\",\"value\":\"Manual\"},{\"op\":\"add\",\"path\":\"/metadata/labels/x\",\"value\":\"y\"}]", V1Patch.PatchType.JsonPatch),
            "kubevirt.io", "v1", "vms", "virtualmachines", "jp"));
        Assert.Equal("Manual", jp.GetProperty("spec").GetProperty("runStrategy").GetString());
        Assert.Equal("y", jp.GetProperty("metadata").GetProperty("labels").GetProperty("x").GetString());

        // Server-side apply creates a missing object (201) and needs a field manager.
        JsonElement applied = J(await _client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"ssa\"},\"spec\":{\"runStrategy\":\"Halted\"}}", V1Patch.PatchType.ApplyPatch),
            "kubevirt.io", "v1", "vms", "virtualmachines", "ssa", fieldManager: "psmodule", force: true));
        Assert.Equal("psmodule", applied.GetProperty("metadata").GetProperty("managedFields")[0].GetProperty("manager").GetString());
        Assert.NotNull(_lab.Store.Get("vm", "vms", "ssa"));
    }

    [Fact]
    public async Task DeleteAnswersASuccessStatusThenGetIs404()
    {
        JsonElement created = J(await _client.CustomObjects.CreateNamespacedCustomObjectAsync(Vm("del"), "kubevirt.io", "v1", "vms", "virtualmachines"));
        JsonElement result = J(await _client.CustomObjects.DeleteNamespacedCustomObjectAsync("kubevirt.io", "v1", "vms", "virtualmachines", "del"));
        Assert.Equal("Status", result.GetProperty("kind").GetString());
        Assert.Equal("Success", result.GetProperty("status").GetString());
        Assert.Equal(created.GetProperty("metadata").GetProperty("uid").GetString(), result.GetProperty("details").GetProperty("uid").GetString());
        Assert.Equal("virtualmachines", result.GetProperty("details").GetProperty("kind").GetString());

        HttpOperationException ex = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CustomObjects.GetNamespacedCustomObjectAsync("kubevirt.io", "v1", "vms", "virtualmachines", "del"));
        V1Status status = StatusOf(ex);
        Assert.Equal(404, status.Code);
        Assert.Equal("NotFound", status.Reason);
        Assert.Equal("virtualmachines.kubevirt.io \"del\" not found", status.Message);
    }

    [Fact]
    public async Task PagedListIsConsistentAndCountsTheRest()
    {
        for (int i = 0; i < 25; i++)
        {
            _lab.Store.Seed(new System.Text.Json.Nodes.JsonObject
            {
                ["apiVersion"] = "snapshot.kubevirt.io/v1beta1", ["kind"] = "VirtualMachineSnapshot",
                ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = $"page-{i:D2}", ["namespace"] = "paging" },
                ["spec"] = new System.Text.Json.Nodes.JsonObject { ["source"] = new System.Text.Json.Nodes.JsonObject { ["apiGroup"] = "kubevirt.io", ["kind"] = "VirtualMachine", ["name"] = "x" } },
            });
        }

        List<string> names = new();
        string? cont = null;
        List<long?> remaining = new();
        int pages = 0;
        do
        {
            JsonElement page = J(await _client.CustomObjects.ListNamespacedCustomObjectAsync("snapshot.kubevirt.io", "v1beta1", "paging", "virtualmachinesnapshots", continueParameter: cont, limit: 10));
            pages++;
            names.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("metadata").GetProperty("name").GetString()!));
            JsonElement meta = page.GetProperty("metadata");
            cont = meta.TryGetProperty("continue", out JsonElement c) ? c.GetString() : null;
            remaining.Add(meta.TryGetProperty("remainingItemCount", out JsonElement r) ? r.GetInt64() : null);
            // A new object after the first page does not show up in later pages: they come from the same snapshot.
            if (pages == 1)
            {
                _lab.Store.Seed(new System.Text.Json.Nodes.JsonObject
                {
                    ["apiVersion"] = "snapshot.kubevirt.io/v1beta1", ["kind"] = "VirtualMachineSnapshot",
                    ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "page-99", ["namespace"] = "paging" },
                });
            }
        } while (cont != null);
        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"page-{i:D2}"), names);
        Assert.Equal([15L, 5L, null], remaining);
        Assert.Equal(26, _lab.Store.List("vmsnapshot", "paging").Count);
    }

    [Fact]
    public async Task LabelAndFieldSelectorsFilterLists()
    {
        await _client.CustomObjects.CreateNamespacedCustomObjectAsync(Vm("sel-a"), "kubevirt.io", "v1", "vms", "virtualmachines");
        JsonElement list = J(await _client.CustomObjects.ListNamespacedCustomObjectAsync("kubevirt.io", "v1", "vms", "virtualmachines", labelSelector: "app=demo"));
        Assert.Equal(["sel-a"], list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("metadata").GetProperty("name").GetString()));
        JsonElement byName = J(await _client.CustomObjects.ListNamespacedCustomObjectAsync("kubevirt.io", "v1", "vms", "virtualmachines", fieldSelector: "metadata.name=rhel8-brainy-bear"));
        Assert.Single(byName.GetProperty("items").EnumerateArray());
        JsonElement set = J(await _client.CustomObjects.ListNamespacedCustomObjectAsync("kubevirt.io", "v1", "vms", "virtualmachines", labelSelector: "app in (rhel8-brainy-bear,fedora-no-agent),!nothing"));
        Assert.Equal(["fedora-no-agent", "rhel8-brainy-bear"], set.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("metadata").GetProperty("name").GetString()));
        JsonElement all = J(await _client.CustomObjects.ListClusterCustomObjectAsync("snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots"));
        Assert.Equal(5, all.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task AnUnknownTokenIs401ForTheClient()
    {
        KubernetesClientConfiguration config = KubernetesClientConfiguration.BuildConfigFromConfigFile(_lab.KubeconfigPath);
        config.AccessToken = "not-the-token";
        using Kubernetes stranger = new(config);
        HttpOperationException ex = await Assert.ThrowsAsync<HttpOperationException>(() => stranger.CustomObjects.ListNamespacedCustomObjectAsync("kubevirt.io", "v1", "vms", "virtualmachines"));
        V1Status status = StatusOf(ex);
        Assert.Equal(401, status.Code);
        Assert.Equal("Unauthorized", status.Reason);
        Assert.Equal("Unauthorized", status.Message);
    }

    [Fact]
    public async Task TheClientVerifiesTheLabCertificateOverTls()
    {
        using LabServer tlsLab = StartLab(tls: true);
        using Kubernetes tlsClient = Client(tlsLab);
        JsonElement list = J(await tlsClient.CustomObjects.ListNamespacedCustomObjectAsync("kubevirt.io", "v1", "vms", "virtualmachines"));
        Assert.Equal(8, list.GetProperty("items").GetArrayLength()); // the default scenario's VMs
        Assert.StartsWith("https://127.0.0.1:", tlsLab.Server.ToString());
        VersionInfo version = await tlsClient.Version.GetCodeAsync();
        Assert.Equal("32", version.Minor);
    }
}
