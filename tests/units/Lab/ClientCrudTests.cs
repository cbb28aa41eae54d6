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
    private readonly LabServer lab = StartLab();
    private readonly Kubernetes client;

    public ClientCrudTests() => client = Client(lab);

    public void Dispose()
    {
        client.Dispose();
        lab.Dispose();
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
        var before = lab.Store.ResourceVersion;
        var created = J(await client.CustomObjects.CreateNamespacedCustomObjectAsync(Vm("vm1"), "kubevirt.io", "v1", "vms", "virtualmachines"));
        var meta = created.GetProperty("metadata");
        Assert.True(Guid.TryParse(meta.GetProperty("uid").GetString(), out _));
        Assert.Equal(1, meta.GetProperty("generation").GetInt64());
        Assert.Equal((before + 1).ToString(), meta.GetProperty("resourceVersion").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", meta.GetProperty("creationTimestamp").GetString());
        Assert.Equal("vms", meta.GetProperty("namespace").GetString());

        var got = J(await client.CustomObjects.GetNamespacedCustomObjectAsync("kubevirt.io", "v1", "vms", "virtualmachines", "vm1"));
        Assert.Equal(meta.GetProperty("uid").GetString(), got.GetProperty("metadata").GetProperty("uid").GetString());
        Assert.Equal("Halted", got.GetProperty("spec").GetProperty("runStrategy").GetString());
    }

    [Fact]
    public async Task CreateIgnoresStatusAndGenerationFollowsSpecChangesOnly()
    {
        var vm = (Dictionary<string, object>)Vm("gen");
        vm["status"] = new Dictionary<string, object> { ["printableStatus"] = "Running" };
        var created = J(await client.CustomObjects.CreateNamespacedCustomObjectAsync(vm, "kubevirt.io", "v1", "vms", "virtualmachines"));
        Assert.False(created.TryGetProperty("status", out _));

        var patchedStatus = J(await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("{\"status\":{\"printableStatus\":\"Stopped\"}}", V1Patch.PatchType.MergePatch), "kubevirt.io", "v1", "vms", "virtualmachines", "gen"));
        Assert.Equal("Stopped", patchedStatus.GetProperty("status").GetProperty("printableStatus").GetString());
        Assert.Equal(1, patchedStatus.GetProperty("metadata").GetProperty("generation").GetInt64());

        // The main resource ignores status; a spec change bumps generation.
        var patched = J(await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("{\"spec\":{\"runStrategy\":\"Always\"},\"status\":{\"printableStatus\":\"Hacked\"}}", V1Patch.PatchType.MergePatch), "kubevirt.io", "v1", "vms", "virtualmachines", "gen"));
        Assert.Equal("Always", patched.GetProperty("spec").GetProperty("runStrategy").GetString());
        Assert.Equal("Stopped", patched.GetProperty("status").GetProperty("printableStatus").GetString());
        Assert.Equal(2, patched.GetProperty("metadata").GetProperty("generation").GetInt64());

        // Labels are metadata: no generation bump.
        var labelled = J(await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("{\"metadata\":{\"labels\":{\"tier\":\"gold\"}}}", V1Patch.PatchType.MergePatch), "kubevirt.io", "v1", "vms", "virtualmachines", "gen"));
        Assert.Equal(2, labelled.GetProperty("metadata").GetProperty("generation").GetInt64());
        Assert.Equal("gold", labelled.GetProperty("metadata").GetProperty("labels").GetProperty("tier").GetString());
    }

    [Fact]
    public async Task NoOpPatchKeepsTheResourceVersion()
    {
        var created = J(await client.CustomObjects.CreateNamespacedCustomObjectAsync(Vm("noop"), "kubevirt.io", "v1", "vms", "virtualmachines"));
        var rv = created.GetProperty("metadata").GetProperty("resourceVersion").GetString();
        var global = lab.Store.ResourceVersion;
        var same = J(await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("{\"spec\":{\"runStrategy\":\"Halted\"}}", V1Patch.PatchType.MergePatch), "kubevirt.io", "v1", "vms", "virtualmachines", "noop"));
        Assert.Equal(rv, same.GetProperty("metadata").GetProperty("resourceVersion").GetString());
        Assert.Equal(global, lab.Store.ResourceVersion);
    }

    [Fact]
    public async Task ReplaceChecksTheResourceVersion()
    {
        var created = J(await client.CustomObjects.CreateNamespacedCustomObjectAsync(Vm("rep"), "kubevirt.io", "v1", "vms", "virtualmachines"));
        var body = JsonSerializer.Deserialize<Dictionary<string, object>>(created.GetRawText())!;
        var replaced = J(await client.CustomObjects.ReplaceNamespacedCustomObjectAsync(body, "kubevirt.io", "v1", "vms", "virtualmachines", "rep"));
        Assert.Equal(created.GetProperty("metadata").GetProperty("resourceVersion").GetString(), replaced.GetProperty("metadata").GetProperty("resourceVersion").GetString());

        await client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch("{\"spec\":{\"runStrategy\":\"Always\"}}", V1Patch.PatchType.MergePatch), "kubevirt.io", "v1", "vms", "virtualmachines", "rep");
        var ex = await Assert.ThrowsAsync<HttpOperationException>(() => client.CustomObjects.ReplaceNamespacedCustomObjectAsync(body, "kubevirt.io", "v1", "vms", "virtualmachines", "rep"));
        var status = StatusOf(ex);
        Assert.Equal(409, status.Code);
        Assert.Equal("Conflict", status.Reason);
        Assert.Equal("Operation cannot be fulfilled on virtualmachines.kubevirt.io \"rep\": the object has been modified; please apply your changes to the latest version and try again", status.Message);
        Assert.Equal("virtualmachines", status.Details.Kind);
        Assert.Equal("kubevirt.io", status.Details.Group);
    }

    [Fact]
    public async Task JsonPatchAndServerSideApplyWork()
    {
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(Vm("jp"), "kubevirt.io", "v1", "vms", "virtualmachines");
        var jp = J(await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("[{\"op\":\"replace\",\"path\":\"/spec/runStrategy\",\"value\":\"Manual\"},{\"op\":\"add\",\"path\":\"/metadata/labels/x\",\"value\":\"y\"}]", V1Patch.PatchType.JsonPatch),
            "kubevirt.io", "v1", "vms", "virtualmachines", "jp"));
        Assert.Equal("Manual", jp.GetProperty("spec").GetProperty("runStrategy").GetString());
        Assert.Equal("y", jp.GetProperty("metadata").GetProperty("labels").GetProperty("x").GetString());

        // Server-side apply creates a missing object (201) and needs a field manager.
        var applied = J(await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"ssa\"},\"spec\":{\"runStrategy\":\"Halted\"}}", V1Patch.PatchType.ApplyPatch),
            "kubevirt.io", "v1", "vms", "virtualmachines", "ssa", fieldManager: "psmodule", force: true));
        Assert.Equal("psmodule", applied.GetProperty("metadata").GetProperty("managedFields")[0].GetProperty("manager").GetString());
        Assert.NotNull(lab.Store.Get("vm", "vms", "ssa"));
    }

    [Fact]
    public async Task DeleteAnswersASuccessStatusThenGetIs404()
    {
        var created = J(await client.CustomObjects.CreateNamespacedCustomObjectAsync(Vm("del"), "kubevirt.io", "v1", "vms", "virtualmachines"));
        var result = J(await client.CustomObjects.DeleteNamespacedCustomObjectAsync("kubevirt.io", "v1", "vms", "virtualmachines", "del"));
        Assert.Equal("Status", result.GetProperty("kind").GetString());
        Assert.Equal("Success", result.GetProperty("status").GetString());
        Assert.Equal(created.GetProperty("metadata").GetProperty("uid").GetString(), result.GetProperty("details").GetProperty("uid").GetString());
        Assert.Equal("virtualmachines", result.GetProperty("details").GetProperty("kind").GetString());

        var ex = await Assert.ThrowsAsync<HttpOperationException>(() => client.CustomObjects.GetNamespacedCustomObjectAsync("kubevirt.io", "v1", "vms", "virtualmachines", "del"));
        var status = StatusOf(ex);
        Assert.Equal(404, status.Code);
        Assert.Equal("NotFound", status.Reason);
        Assert.Equal("virtualmachines.kubevirt.io \"del\" not found", status.Message);
    }

    [Fact]
    public async Task PagedListIsConsistentAndCountsTheRest()
    {
        for (var i = 0; i < 25; i++)
            lab.Store.Seed(new System.Text.Json.Nodes.JsonObject
            {
                ["apiVersion"] = "snapshot.kubevirt.io/v1beta1", ["kind"] = "VirtualMachineSnapshot",
                ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = $"page-{i:D2}", ["namespace"] = "paging" },
                ["spec"] = new System.Text.Json.Nodes.JsonObject { ["source"] = new System.Text.Json.Nodes.JsonObject { ["apiGroup"] = "kubevirt.io", ["kind"] = "VirtualMachine", ["name"] = "x" } },
            });
        var names = new List<string>();
        string? cont = null;
        var remaining = new List<long?>();
        var pages = 0;
        do
        {
            var page = J(await client.CustomObjects.ListNamespacedCustomObjectAsync("snapshot.kubevirt.io", "v1beta1", "paging", "virtualmachinesnapshots", continueParameter: cont, limit: 10));
            pages++;
            names.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("metadata").GetProperty("name").GetString()!));
            var meta = page.GetProperty("metadata");
            cont = meta.TryGetProperty("continue", out var c) ? c.GetString() : null;
            remaining.Add(meta.TryGetProperty("remainingItemCount", out var r) ? r.GetInt64() : null);
            // A new object after the first page does not show up in later pages: they come from the same snapshot.
            if (pages == 1)
                lab.Store.Seed(new System.Text.Json.Nodes.JsonObject
                {
                    ["apiVersion"] = "snapshot.kubevirt.io/v1beta1", ["kind"] = "VirtualMachineSnapshot",
                    ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "page-99", ["namespace"] = "paging" },
                });
        } while (cont != null);
        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"page-{i:D2}"), names);
        Assert.Equal([15L, 5L, null], remaining);
        Assert.Equal(26, lab.Store.List("vmsnapshot", "paging").Count);
    }

    [Fact]
    public async Task LabelAndFieldSelectorsFilterLists()
    {
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(Vm("sel-a"), "kubevirt.io", "v1", "vms", "virtualmachines");
        var list = J(await client.CustomObjects.ListNamespacedCustomObjectAsync("kubevirt.io", "v1", "vms", "virtualmachines", labelSelector: "app=demo"));
        Assert.Equal(["sel-a"], list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("metadata").GetProperty("name").GetString()));
        var byName = J(await client.CustomObjects.ListNamespacedCustomObjectAsync("kubevirt.io", "v1", "vms", "virtualmachines", fieldSelector: "metadata.name=rhel8-brainy-bear"));
        Assert.Single(byName.GetProperty("items").EnumerateArray());
        var set = J(await client.CustomObjects.ListNamespacedCustomObjectAsync("kubevirt.io", "v1", "vms", "virtualmachines", labelSelector: "app in (rhel8-brainy-bear,fedora-no-agent),!nothing"));
        Assert.Equal(["fedora-no-agent", "rhel8-brainy-bear"], set.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("metadata").GetProperty("name").GetString()));
        var all = J(await client.CustomObjects.ListClusterCustomObjectAsync("snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots"));
        Assert.Equal(5, all.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task AnUnknownTokenIs401ForTheClient()
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(lab.KubeconfigPath);
        config.AccessToken = "not-the-token";
        using var stranger = new Kubernetes(config);
        var ex = await Assert.ThrowsAsync<HttpOperationException>(() => stranger.CustomObjects.ListNamespacedCustomObjectAsync("kubevirt.io", "v1", "vms", "virtualmachines"));
        var status = StatusOf(ex);
        Assert.Equal(401, status.Code);
        Assert.Equal("Unauthorized", status.Reason);
        Assert.Equal("Unauthorized", status.Message);
    }

    [Fact]
    public async Task TheClientVerifiesTheLabCertificateOverTls()
    {
        using var tlsLab = StartLab(tls: true);
        using var tlsClient = Client(tlsLab);
        var list = J(await tlsClient.CustomObjects.ListNamespacedCustomObjectAsync("kubevirt.io", "v1", "vms", "virtualmachines"));
        Assert.Equal(8, list.GetProperty("items").GetArrayLength()); // the default scenario's VMs
        Assert.StartsWith("https://127.0.0.1:", tlsLab.Server.ToString());
        var version = await tlsClient.Version.GetCodeAsync();
        Assert.Equal("32", version.Minor);
    }
}
