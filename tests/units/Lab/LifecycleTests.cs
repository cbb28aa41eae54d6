using System.Text.Json.Nodes;
using VmSnapshot.Lab;
using Xunit;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Lab;

/// <summary>Finalizers, deletionTimestamp and ownerReferences garbage collection over HTTP.</summary>
public sealed class LifecycleTests : IDisposable
{
    private const string Vms = "/apis/kubevirt.io/v1/namespaces/vms/virtualmachines";
    private readonly LabServer _lab = StartLab();
    private readonly HttpClient _http;

    public LifecycleTests() => _http = Http(_lab);

    public void Dispose()
    {
        _http.Dispose();
        _lab.Dispose();
    }

    private static async Task Until(Func<bool> condition, int ms = 10000)
    {
        DateTime deadline = DateTime.UtcNow.AddMilliseconds(ms);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met in time");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task FinalizersGateDeletion()
    {
        _lab.Store.Update("vm", "vms", "centos-stopped", o => o["metadata"]!["finalizers"] = new JsonArray("example.com/hold"));
        long generation = (long)_lab.Store.Get("vm", "vms", "centos-stopped")!["metadata"]!["generation"]!;
        (int Code, JsonNode? Body) first = await SendAsync(_http, HttpMethod.Delete, Vms + "/centos-stopped", "{\"propagationPolicy\":\"Background\"}");
        Assert.Equal(200, first.Code);
        Assert.Equal("VirtualMachine", (string?)first.Body!["kind"]);
        string? deletionTimestamp = (string?)first.Body["metadata"]!["deletionTimestamp"];
        Assert.NotNull(deletionTimestamp);
        Assert.Equal(generation + 1, (long)first.Body["metadata"]!["generation"]!);
        long rv = _lab.Store.ResourceVersion;

        // Repeating the DELETE changes nothing.
        (int Code, JsonNode? Body) second = await SendAsync(_http, HttpMethod.Delete, Vms + "/centos-stopped");
        Assert.Equal(deletionTimestamp, (string?)second.Body!["metadata"]!["deletionTimestamp"]);
        Assert.Equal(rv, _lab.Store.ResourceVersion);

        // No new finalizers while deleting.
        (int Code, JsonNode? Body) add = await SendAsync(_http, HttpMethod.Patch, Vms + "/centos-stopped", "{\"metadata\":{\"finalizers\":[\"example.com/hold\",\"example.com/more\"]}}", "application/merge-patch+json");
        AssertStatus(add, 422, "Invalid", "VirtualMachine.kubevirt.io \"centos-stopped\" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"example.com/more\"}");

        // Removing the last finalizer makes it disappear.
        (int Code, JsonNode? Body) release = await SendAsync(_http, HttpMethod.Patch, Vms + "/centos-stopped", "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]", "application/json-patch+json");
        Assert.Equal(200, release.Code);
        Assert.Null(_lab.Store.Get("vm", "vms", "centos-stopped"));
    }

    [Fact]
    public async Task BackgroundDeletionCollectsDependents()
    {
        // Deleting the VMSnapshotContent takes its VolumeSnapshots along (they are owned by it).
        Assert.Equal(2, _lab.Store.List("volumesnapshots", "vms").Count(v => ((string?)v["metadata"]!["name"])!.Contains("a3e1c0b2-5d4f-4e6a-8b7c-9d0e1f2a3b01")));
        (int Code, JsonNode? Body) r = await SendAsync(_http, HttpMethod.Delete, "/apis/snapshot.kubevirt.io/v1beta1/namespaces/vms/virtualmachinesnapshotcontents/vmsnapshot-content-a3e1c0b2-5d4f-4e6a-8b7c-9d0e1f2a3b01");
        Assert.Equal("Success", (string?)r.Body!["status"]);
        await Until(() => !_lab.Store.List("volumesnapshots", "vms").Any(v => ((string?)v["metadata"]!["name"])!.Contains("a3e1c0b2-5d4f-4e6a-8b7c-9d0e1f2a3b01")));
        Assert.Equal(4, _lab.Store.List("volumesnapshots", "vms").Count);
    }

    [Fact]
    public async Task ForegroundDeletionWaitsForBlockingDependents()
    {
        (int Code, JsonNode? Body) r = await SendAsync(_http, HttpMethod.Delete, Vms + "/rhel8-brainy-bear", "{\"propagationPolicy\":\"Foreground\"}");
        Assert.Equal(200, r.Code);
        Assert.Contains("foregroundDeletion", r.Body!["metadata"]!["finalizers"]!.AsArray().Select(f => (string?)f));
        await Until(() => _lab.Store.Get("vm", "vms", "rhel8-brainy-bear") == null);
        Assert.Null(_lab.Store.Get("vmi", "vms", "rhel8-brainy-bear"));
        Assert.Null(_lab.Store.Get("datavolumes", "vms", "rhel8-brainy-bear-rootdisk"));
    }

    [Fact]
    public async Task OrphanDeletionKeepsDependentsWithoutTheReference()
    {
        (int Code, JsonNode? Body) r = await SendAsync(_http, HttpMethod.Delete, Vms + "/fedora-no-agent?propagationPolicy=Orphan");
        Assert.Equal(200, r.Code);
        await Until(() => _lab.Store.Get("vm", "vms", "fedora-no-agent") == null);
        JsonObject? vmi = _lab.Store.Get("vmi", "vms", "fedora-no-agent");
        Assert.NotNull(vmi);
        Assert.Null(vmi!["metadata"]!["ownerReferences"]);
    }

    [Fact]
    public async Task DeletingANamespaceEmptiesIt()
    {
        (int Code, JsonNode? Body) r = await SendAsync(_http, HttpMethod.Delete, "/api/v1/namespaces/vms");
        Assert.Equal("Namespace", (string?)r.Body!["kind"]);
        Assert.Equal("Terminating", (string?)r.Body["status"]!["phase"]);
        await Until(() => _lab.Store.List("vm").Count == 0 && _lab.Store.List("pvc").Count == 0);
        Assert.NotNull(_lab.Store.Get("namespaces", null, "kubevirt"));
    }

    [Fact]
    public async Task TablesCarryPrinterColumnsAndPartialObjectMetadata()
    {
        (int Code, JsonNode? Body) r = await GetAsync(_http, "/apis/snapshot.kubevirt.io/v1beta1/namespaces/vms/virtualmachinesnapshots",
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json");
        Assert.Equal("Table", (string?)r.Body!["kind"]);
        Assert.Equal("meta.k8s.io/v1", (string?)r.Body["apiVersion"]);
        Assert.Equal(["Name", "SourceKind", "SourceName", "Phase", "ReadyToUse", "CreationTime", "Error"],
            r.Body["columnDefinitions"]!.AsArray().Select(c => (string?)c!["name"]));
        Assert.Equal("name", (string?)r.Body["columnDefinitions"]![0]!["format"]);
        Assert.Equal("Custom resource definition column (in JSONPath format): .status.phase", (string?)r.Body["columnDefinitions"]![3]!["description"]);
        JsonNode row = r.Body["rows"]!.AsArray().Single(x => (string?)x!["cells"]![0] == "rhel8-brainy-bear-pre-patch")!;
        Assert.Equal("Failed", (string?)row["cells"]![3]);
        Assert.False((bool)row["cells"]![4]!);
        Assert.Null(row["cells"]![5]); // no creationTime: nil cell, kubectl prints <none>
        Assert.Null(row["cells"]![6]); // a deadline failure sets no status.error (KubeVirt's ERROR column stays empty)
        Assert.Equal("PartialObjectMetadata", (string?)row["object"]!["kind"]);
        Assert.Equal("vms", (string?)row["object"]!["metadata"]!["namespace"]);
        JsonNode succeeded = r.Body["rows"]!.AsArray().First(x => (string?)x!["cells"]![3] == "Succeeded")!;
        Assert.Matches(@"^\d+[smhdy]", (string?)succeeded["cells"]![5]);

        (int Code, JsonNode? Body) pvc = await GetAsync(_http, "/api/v1/namespaces/vms/persistentvolumeclaims/db-nfs-data-data", "application/json;as=Table;v=v1;g=meta.k8s.io");
        List<string?> cells = pvc.Body!["rows"]![0]!["cells"]!.AsArray().Select(c => c?.ToString()).ToList();
        Assert.Equal(["db-nfs-data-data", "Bound", "pvc-3f0a9c1e-1111-4a2b-9c3d-000000000006", "500Gi", "RWO", "nfs-csi", "<unset>"], cells.Take(7));
    }

    [Fact]
    public async Task TableWatchSendsHeadersOnlyInTheFirstEvent()
    {
        using HttpRequestMessage req = new(HttpMethod.Get, Vms + "?watch=true&resourceVersion=0");
        req.Headers.TryAddWithoutValidation("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
        using HttpResponseMessage resp = await _http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead);
        using StreamReader reader = new(await resp.Content.ReadAsStreamAsync());
        JsonNode first = JsonNode.Parse((await reader.ReadLineAsync())!)!;
        JsonNode second = JsonNode.Parse((await reader.ReadLineAsync())!)!;
        Assert.Equal("ADDED", (string?)first["type"]);
        Assert.Equal("Table", (string?)first["object"]!["kind"]);
        Assert.Equal(4, first["object"]!["columnDefinitions"]!.AsArray().Count);
        Assert.Null(second["object"]!["columnDefinitions"]);
        Assert.Single(second["object"]!["rows"]!.AsArray());
    }

    [Fact]
    public async Task AWatchEndsWhenTheClientHangsUp()
    {
        Assert.Equal(0, _lab.Store.OpenWatchCount);
        using (HttpRequestMessage req = new(HttpMethod.Get, Vms + "?watch=true&resourceVersion=0"))
        using (HttpResponseMessage resp = await _http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead))
        {
            using StreamReader reader = new(await resp.Content.ReadAsStreamAsync());
            Assert.NotNull(await reader.ReadLineAsync());
            Assert.Equal(1, _lab.Store.OpenWatchCount);
        }
        await Until(() => _lab.Store.OpenWatchCount == 0, 3000);
    }
}
