using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Xunit;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Lab;

/// <summary>The HTTP core, /version, authentication and discovery, over real sockets.</summary>
public sealed class ServerCoreTests : IDisposable
{
    private readonly VmSnapshot.Lab.LabServer _lab = StartLab();

    public void Dispose() => _lab.Dispose();

    [Fact]
    public async Task VersionIsAnonymousAndSaysMinor32()
    {
        using HttpClient http = Http(_lab, token: "");
        foreach (string path in new[] { "/version", "/version/?timeout=5s" })
        {
            (int code, JsonNode? body) = await GetAsync(http, path);
            Assert.Equal(200, code);
            Assert.Equal("1", (string?)body!["major"]);
            Assert.Equal("32", (string?)body["minor"]);
            Assert.Equal("v1.32.4", (string?)body["gitVersion"]);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("wrong-token")]
    public async Task RequestsWithoutTheTokenGet401(string token)
    {
        using HttpClient http = Http(_lab, token: token);
        if (token != "") http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        foreach (string path in new[] { "/api", "/apis/kubevirt.io/v1/namespaces/vms/virtualmachines" })
        {
            (int Code, JsonNode? Body) response = await GetAsync(http, path);
            AssertStatus(response, 401, "Unauthorized", "Unauthorized");
            Assert.Null(response.Body!["details"]);
        }
    }

    [Fact]
    public async Task LegacyDiscoveryListsEveryResourceWithStatusSubresources()
    {
        using HttpClient http = Http(_lab);
        (int _, JsonNode? api) = await GetAsync(http, "/api");
        Assert.Equal("APIVersions", (string?)api!["kind"]);
        (int _, JsonNode? groups) = await GetAsync(http, "/apis");
        List<string?> names = groups!["groups"]!.AsArray().Select(g => (string?)g!["name"]).ToList();
        // Built-in groups first, then the add-ons' CRD groups in install order, as kube-apiserver lists them.
        Assert.Equal(["storage.k8s.io", "authentication.k8s.io", "authorization.k8s.io", "snapshot.storage.k8s.io", "kubevirt.io", "snapshot.kubevirt.io", "clone.kubevirt.io", "cdi.kubevirt.io", "k8s.cni.cncf.io"], names);
        JsonNode snapshotGroup = groups["groups"]!.AsArray().Single(g => (string?)g!["name"] == "snapshot.kubevirt.io")!;
        Assert.Equal("v1beta1", (string?)snapshotGroup["preferredVersion"]!["version"]);
        Assert.Equal(2, snapshotGroup["versions"]!.AsArray().Count);

        (int _, JsonNode? list) = await GetAsync(http, "/apis/snapshot.kubevirt.io/v1beta1");
        JsonArray resources = list!["resources"]!.AsArray();
        JsonNode vmsnapshot = resources.Single(r => (string?)r!["name"] == "virtualmachinesnapshots")!;
        Assert.Equal("VirtualMachineSnapshot", (string?)vmsnapshot["kind"]);
        Assert.Equal("virtualmachinesnapshot", (string?)vmsnapshot["singularName"]);
        Assert.True((bool)vmsnapshot["namespaced"]!);
        Assert.Equal(["vmsnapshot", "vmsnapshots"], vmsnapshot["shortNames"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(["all"], vmsnapshot["categories"]!.AsArray().Select(n => (string?)n));
        Assert.Contains(resources, r => (string?)r!["name"] == "virtualmachinesnapshots/status");

        (int _, JsonNode? core) = await GetAsync(http, "/api/v1");
        JsonNode pvc = core!["resources"]!.AsArray().Single(r => (string?)r!["name"] == "persistentvolumeclaims")!;
        Assert.Equal(["pvc"], pvc["shortNames"]!.AsArray().Select(n => (string?)n));
        (int _, JsonNode? storage) = await GetAsync(http, "/apis/snapshot.storage.k8s.io/v1");
        JsonNode vsclass = storage!["resources"]!.AsArray().Single(r => (string?)r!["name"] == "volumesnapshotclasses")!;
        Assert.False((bool)vsclass["namespaced"]!);
    }

    [Fact]
    public async Task UnknownPathsAndResourcesAre404WithTheGenericMessage()
    {
        using HttpClient http = Http(_lab);
        foreach (string path in new[] { "/apis/nope.io/v1/things", "/apis/kubevirt.io/v1/namespaces/vms/widgets", "/apis/kubevirt.io/v9", "/foo" })
            AssertStatus(await GetAsync(http, path), 404, "NotFound", "the server could not find the requested resource");
    }

    [Fact]
    public async Task KeepAliveServesManyRequestsOnOneConnectionAndCountsThem()
    {
        using HttpClient http = Http(_lab);
        long before = _lab.RequestCount;
        for (int i = 0; i < 20; i++) Assert.Equal(200, (await GetAsync(http, "/apis/kubevirt.io/v1/namespaces/vms/virtualmachines")).Code);
        Assert.Equal(before + 20, _lab.RequestCount);
    }

    [Fact]
    public async Task BodiesOver3MiBAre413()
    {
        using HttpClient http = Http(_lab);
        string big = "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"big\"},\"spec\":{\"x\":\"" + new string('a', 3 * 1024 * 1024) + "\"}}";
        (int Code, JsonNode? Body) response = await SendAsync(http, HttpMethod.Post, "/apis/kubevirt.io/v1/namespaces/vms/virtualmachines", big);
        AssertStatus(response, 413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728");
        Assert.Null(_lab.Store.Get("vm", "vms", "big"));
    }

    [Fact]
    public async Task ChunkedRequestBodiesAreRead()
    {
        using HttpClient http = Http(_lab);
        using HttpRequestMessage req = new(HttpMethod.Post, "/apis/kubevirt.io/v1/namespaces/vms/virtualmachines")
        {
            Content = new StreamContent(new NonSeekableStream(System.Text.Encoding.UTF8.GetBytes(VmJson("chunky")))),
        };
        req.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using HttpResponseMessage resp = await http.SendAsync(req);
        Assert.True(req.Content.Headers.ContentLength == null);
        Assert.Equal(201, (int)resp.StatusCode);
        Assert.NotNull(_lab.Store.Get("vm", "vms", "chunky"));
    }

    [Fact]
    public async Task OpenApiV3AnnouncesFieldValidationForPatch()
    {
        using HttpClient http = Http(_lab);
        (int _, JsonNode? root) = await GetAsync(http, "/openapi/v3");
        string? url = (string?)root!["paths"]!["apis/kubevirt.io/v1"]!["serverRelativeURL"];
        Assert.StartsWith("/openapi/v3/apis/kubevirt.io/v1?hash=", url);
        (int _, JsonNode? doc) = await GetAsync(http, url!);
        JsonNode patch = doc!["paths"]!["/apis/kubevirt.io/v1/namespaces/{namespace}/virtualmachines/{name}"]!["patch"]!;
        Assert.Equal("VirtualMachine", (string?)patch["x-kubernetes-group-version-kind"]!["kind"]);
        Assert.Contains(patch["parameters"]!.AsArray(), p => (string?)p!["name"] == "fieldValidation");
    }

    private sealed class NonSeekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
