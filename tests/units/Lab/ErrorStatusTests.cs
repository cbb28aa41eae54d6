using System.Text.Json.Nodes;
using VmSnapshot.Lab;
using Xunit;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Lab;

/// <summary>Every refusal answers the apiserver's Status: code, reason and message exactly, and the store is unchanged.</summary>
public sealed class ErrorStatusTests : IDisposable
{
    private const string Vms = "/apis/kubevirt.io/v1/namespaces/vms/virtualmachines";
    private readonly LabServer _lab = StartLab();
    private readonly HttpClient _http;

    public ErrorStatusTests() => _http = Http(_lab);

    public void Dispose()
    {
        _http.Dispose();
        _lab.Dispose();
    }

    [Fact]
    public async Task NotFoundNamesTheQualifiedResource()
    {
        (int Code, JsonNode? Body) r = await GetAsync(_http, Vms + "/nope");
        AssertStatus(r, 404, "NotFound", "virtualmachines.kubevirt.io \"nope\" not found");
        Assert.Equal("nope", (string?)r.Body!["details"]!["name"]);
        Assert.Equal("kubevirt.io", (string?)r.Body["details"]!["group"]);
        Assert.Equal("virtualmachines", (string?)r.Body["details"]!["kind"]);
        AssertStatus(await GetAsync(_http, "/api/v1/namespaces/vms/persistentvolumeclaims/nope"), 404, "NotFound", "persistentvolumeclaims \"nope\" not found");
    }

    [Fact]
    public async Task CreatingAnExistingObjectIsAlreadyExists()
    {
        long rv = _lab.Store.ResourceVersion;
        AssertStatus(await SendAsync(_http, HttpMethod.Post, Vms, VmJson("rhel8-brainy-bear")), 409, "AlreadyExists", "virtualmachines.kubevirt.io \"rhel8-brainy-bear\" already exists");
        Assert.Equal(rv, _lab.Store.ResourceVersion);
    }

    [Fact]
    public async Task CreatingInAMissingNamespaceIsNotFound()
        => AssertStatus(await SendAsync(_http, HttpMethod.Post, "/apis/kubevirt.io/v1/namespaces/ghost/virtualmachines", VmJson("x", "ghost")), 404, "NotFound", "namespaces \"ghost\" not found");

    [Fact]
    public async Task UpdateWithoutResourceVersionIsInvalidForCustomResources()
    {
        (int Code, JsonNode? Body) r = await SendAsync(_http, HttpMethod.Put, Vms + "/centos-stopped", VmJson("centos-stopped"));
        AssertStatus(r, 422, "Invalid", "VirtualMachine.kubevirt.io \"centos-stopped\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update");
        Assert.Equal("VirtualMachine", (string?)r.Body!["details"]!["kind"]);
        JsonNode cause = r.Body["details"]!["causes"]![0]!;
        Assert.Equal("FieldValueInvalid", (string?)cause["reason"]);
        Assert.Equal("metadata.resourceVersion", (string?)cause["field"]);
    }

    [Fact]
    public async Task InvalidNamesAreRefused()
    {
        (int Code, JsonNode? Body) r = await SendAsync(_http, HttpMethod.Post, Vms, VmJson("Bad_Name"));
        Assert.Equal(422, r.Code);
        Assert.StartsWith("VirtualMachine.kubevirt.io \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain", (string?)r.Body!["message"]);
        (int Code, JsonNode? Body) noName = await SendAsync(_http, HttpMethod.Post, Vms, "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\",\"metadata\":{},\"spec\":{}}");
        AssertStatus(noName, 422, "Invalid", "VirtualMachine.kubevirt.io \"\" is invalid: metadata.name: Required value: name or generateName is required");
    }

    [Fact]
    public async Task GenerateNameAddsAFiveCharacterSuffix()
    {
        (int Code, JsonNode? Body) r = await SendAsync(_http, HttpMethod.Post, Vms, "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\",\"metadata\":{\"generateName\":\"gen-\"},\"spec\":{}}");
        Assert.Equal(201, r.Code);
        Assert.Matches("^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$", (string?)r.Body!["metadata"]!["name"]);
    }

    [Fact]
    public async Task MalformedJsonIsBadRequest()
    {
        long rv = _lab.Store.ResourceVersion;
        AssertStatus(await SendAsync(_http, HttpMethod.Post, Vms, "{not json"), 400, "BadRequest",
            "the object provided is unrecognized (must be of type VirtualMachine): couldn't get version/kind; json parse error: invalid character 'n' looking for beginning of value");
        AssertStatus(await SendAsync(_http, HttpMethod.Post, Vms, "{\"kind\":"), 400, "BadRequest",
            "the object provided is unrecognized (must be of type VirtualMachine): couldn't get version/kind; json parse error: unexpected end of JSON input");
        AssertStatus(await SendAsync(_http, HttpMethod.Patch, Vms + "/centos-stopped", "{oops", "application/merge-patch+json"), 400, "BadRequest",
            "invalid character 'o' looking for beginning of value");
        Assert.Equal(rv, _lab.Store.ResourceVersion);
    }

    [Fact]
    public async Task CreateWithAResourceVersionIsBadRequest()
        => AssertStatus(await SendAsync(_http, HttpMethod.Post, Vms, "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"rv\",\"resourceVersion\":\"5\"},\"spec\":{}}"),
            400, "BadRequest", "resourceVersion should not be set on objects to be created");

    [Fact]
    public async Task StrategicMergeOnACustomResourceIs415()
    {
        (int Code, JsonNode? Body) r = await SendAsync(_http, HttpMethod.Patch, Vms + "/centos-stopped", "{}", "application/strategic-merge-patch+json");
        AssertStatus(r, 415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
    }

    [Fact]
    public async Task ApplyWithoutFieldManagerIs422()
    {
        (int Code, JsonNode? Body) r = await SendAsync(_http, HttpMethod.Patch, Vms + "/centos-stopped", VmJson("centos-stopped"), "application/apply-patch+yaml");
        AssertStatus(r, 422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
    }

    [Fact]
    public async Task StrictFieldValidationRefusesUnknownFields()
    {
        string body = "{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"strict\",\"bogus\":1},\"spec\":{},\"extra\":true}";
        AssertStatus(await SendAsync(_http, HttpMethod.Post, Vms + "?fieldValidation=Strict", body), 400, "BadRequest",
            "VirtualMachine in version \"v1\" cannot be handled as a VirtualMachine: strict decoding error: unknown field \"extra\", unknown field \"metadata.bogus\"");
        Assert.Null(_lab.Store.Get("vm", "vms", "strict"));
        Assert.Equal(201, (await SendAsync(_http, HttpMethod.Post, Vms + "?fieldValidation=Ignore", body)).Code);
    }

    [Fact]
    public async Task SelectorsThatCannotBeParsedAreBadRequest()
    {
        AssertStatus(await GetAsync(_http, Vms + "?fieldSelector=spec.runStrategy%3DAlways"), 400, "BadRequest", "field label not supported: spec.runStrategy");
        (int Code, JsonNode? Body) r = await GetAsync(_http, Vms + "?labelSelector=app%20maybe%20(x)");
        Assert.Equal(400, r.Code);
        Assert.StartsWith("unable to parse requirement:", (string?)r.Body!["message"]);
    }

    [Fact]
    public async Task WrongMethodsAre405()
    {
        AssertStatus(await SendAsync(_http, HttpMethod.Post, Vms + "/centos-stopped", VmJson("centos-stopped")), 405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
        AssertStatus(await SendAsync(_http, HttpMethod.Put, Vms, VmJson("x")), 405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
    }

    [Fact]
    public async Task ATooOldContinueTokenIsExpired()
    {
        (int Code, JsonNode? Body) first = await GetAsync(_http, "/api/v1/persistentvolumeclaims?limit=1");
        string? token = (string?)first.Body!["metadata"]!["continue"];
        Assert.NotNull(token);
        // A thousand writes later (a fleet snapshot's worth of status updates) the token still pages on, as it
        // would on a real cluster until etcd's 5-minute compaction.
        for (int i = 0; i < 1000; i++)
            _lab.Store.Update("pvc", "vms", "fedora-no-agent-rootdisk", o => o["metadata"]!["labels"]!["n"] = i.ToString());
        Assert.Equal(200, (await GetAsync(_http, "/api/v1/persistentvolumeclaims?limit=1&continue=" + Uri.EscapeDataString(token!))).Code);
        for (int i = 0; i < VmSnapshot.Lab.Store.LabStore.ListSnapshotsKept; i++) // push the first page's snapshot out of the kept ones
            _lab.Store.Update("pvc", "vms", "fedora-no-agent-rootdisk", o => o["metadata"]!["labels"]!["n"] = i.ToString());
        (int Code, JsonNode? Body) r = await GetAsync(_http, "/api/v1/persistentvolumeclaims?limit=1&continue=" + Uri.EscapeDataString(token!));
        Assert.Equal(410, r.Code);
        Assert.Equal("Expired", (string?)r.Body!["reason"]);
        Assert.StartsWith("The provided continue parameter is too old to display a consistent list result.", (string?)r.Body["message"]);
    }

    [Fact]
    public async Task JsonPatchTestFailureIsInvalidAndChangesNothing()
    {
        long rv = _lab.Store.ResourceVersion;
        string patch = "[{\"op\":\"test\",\"path\":\"/spec/runStrategy\",\"value\":\"Always\"},{\"op\":\"replace\",\"path\":\"/spec/runStrategy\",\"value\":\"Manual\"}]";
        (int Code, JsonNode? Body) r = await SendAsync(_http, HttpMethod.Patch, Vms + "/centos-stopped", patch, "application/json-patch+json");
        Assert.Equal(422, r.Code);
        Assert.Equal("Invalid", (string?)r.Body!["reason"]);
        Assert.EndsWith("testing value /spec/runStrategy failed: test failed", (string?)r.Body["message"]);
        Assert.Equal(rv, _lab.Store.ResourceVersion);
        Assert.Equal("Halted", (string?)_lab.Store.Get("vm", "vms", "centos-stopped")!["spec"]!["runStrategy"]);
    }

    [Fact]
    public async Task AResourceVersionInAPatchIsAPrecondition()
    {
        AssertStatus(await SendAsync(_http, HttpMethod.Patch, Vms + "/centos-stopped", "{\"metadata\":{\"resourceVersion\":\"1\"},\"spec\":{\"runStrategy\":\"Always\"}}", "application/merge-patch+json"),
            409, "Conflict", "Operation cannot be fulfilled on virtualmachines.kubevirt.io \"centos-stopped\": the object has been modified; please apply your changes to the latest version and try again");
    }

    [Fact]
    public async Task DryRunValidatesButPersistsNothing()
    {
        long rv = _lab.Store.ResourceVersion;
        (int Code, JsonNode? Body) created = await SendAsync(_http, HttpMethod.Post, Vms + "?dryRun=All", VmJson("dry"));
        Assert.Equal(201, created.Code);
        Assert.Equal("dry", (string?)created.Body!["metadata"]!["name"]);
        Assert.Null(_lab.Store.Get("vm", "vms", "dry"));
        (int Code, JsonNode? Body) patched = await SendAsync(_http, HttpMethod.Patch, Vms + "/centos-stopped?dryRun=All", "{\"spec\":{\"runStrategy\":\"Always\"}}", "application/merge-patch+json");
        Assert.Equal("Always", (string?)patched.Body!["spec"]!["runStrategy"]);
        Assert.Equal(200, (await SendAsync(_http, HttpMethod.Delete, Vms + "/centos-stopped?dryRun=All")).Code);
        Assert.Equal("Halted", (string?)_lab.Store.Get("vm", "vms", "centos-stopped")!["spec"]!["runStrategy"]);
        Assert.Equal(rv, _lab.Store.ResourceVersion);
    }

    [Fact]
    public async Task V1alpha1ServesTheSameObjectsWithItsApiVersion()
    {
        (int Code, JsonNode? Body) r = await GetAsync(_http, "/apis/snapshot.kubevirt.io/v1alpha1/namespaces/vms/virtualmachinesnapshots/fedora-no-agent-manual");
        Assert.Equal(200, r.Code);
        Assert.Equal("snapshot.kubevirt.io/v1alpha1", (string?)r.Body!["apiVersion"]);
        Assert.Equal("Succeeded", (string?)r.Body["status"]!["phase"]);
        (int Code, JsonNode? Body) list = await GetAsync(_http, "/apis/snapshot.kubevirt.io/v1alpha1/namespaces/vms/virtualmachinesnapshots");
        Assert.All(list.Body!["items"]!.AsArray(), i => Assert.Equal("snapshot.kubevirt.io/v1alpha1", (string?)i!["apiVersion"]));
    }
}

/// <summary>Collection deletes and the extra field selectors of core events.</summary>
public sealed class CollectionTests : IDisposable
{
    private readonly LabServer _lab = StartLab();
    private readonly HttpClient _http;

    public CollectionTests() => _http = Http(_lab);

    public void Dispose()
    {
        _http.Dispose();
        _lab.Dispose();
    }

    [Fact]
    public async Task DeleteCollectionHonoursTheLabelSelector()
    {
        (int Code, JsonNode? Body) r = await SendAsync(_http, HttpMethod.Delete, "/apis/snapshot.kubevirt.io/v1beta1/namespaces/vms/virtualmachinesnapshots?labelSelector=vmsnapshot.io%2Fpolicy%3Dnightly");
        Assert.Equal(200, r.Code);
        Assert.Equal("VirtualMachineSnapshotList", (string?)r.Body!["kind"]);
        Assert.Equal(2, r.Body["items"]!.AsArray().Count);
        Assert.Equal(3, _lab.Store.List("vmsnapshot", "vms").Count);
    }

    [Fact]
    public async Task EventsCanBeSelectedByInvolvedObject()
    {
        string ev = """
            {"apiVersion":"v1","kind":"Event","metadata":{"name":"e1"},"involvedObject":{"kind":"VirtualMachine","name":"centos-stopped","namespace":"vms","uid":"u1"},
             "reason":"SnapshotCreated","message":"hello","type":"Normal","count":1}
            """;
        Assert.Equal(201, (await SendAsync(_http, HttpMethod.Post, "/api/v1/namespaces/vms/events", ev)).Code);
        (int Code, JsonNode? Body) hit = await GetAsync(_http, "/api/v1/namespaces/vms/events?fieldSelector=involvedObject.name%3Dcentos-stopped,involvedObject.kind%3DVirtualMachine");
        Assert.Single(hit.Body!["items"]!.AsArray());
        (int Code, JsonNode? Body) miss = await GetAsync(_http, "/api/v1/namespaces/vms/events?fieldSelector=involvedObject.name%3Dother");
        Assert.Empty(miss.Body!["items"]!.AsArray());
    }
}
