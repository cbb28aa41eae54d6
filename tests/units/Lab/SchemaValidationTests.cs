using System.Text.Json.Nodes;
using VmSnapshot.Lab;
using VmSnapshot.Lab.Api;
using VmSnapshot.Lab.Schemas;
using Xunit;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Lab;

/// <summary>CRD schema validation, pruning and defaulting with the real KubeVirt and CSI schemas.</summary>
public sealed class SchemaValidationTests : IDisposable
{
    private const string Snapshots = "/apis/snapshot.kubevirt.io/v1beta1/namespaces/vms/virtualmachinesnapshots";
    private readonly LabServer _lab = StartLab();
    private readonly HttpClient _http;

    public SchemaValidationTests() => _http = Http(_lab);

    public void Dispose()
    {
        _http.Dispose();
        _lab.Dispose();
    }

    [Fact]
    public async Task MissingRequiredFieldsAre422WithCauses()
    {
        long rv = _lab.Store.ResourceVersion;
        (int Code, JsonNode? Body) r = await SendAsync(_http, HttpMethod.Post, Snapshots, "{\"apiVersion\":\"snapshot.kubevirt.io/v1beta1\",\"kind\":\"VirtualMachineSnapshot\",\"metadata\":{\"name\":\"bad\"},\"spec\":{\"source\":{\"apiGroup\":\"kubevirt.io\"}}}");
        AssertStatus(r, 422, "Invalid", "VirtualMachineSnapshot.snapshot.kubevirt.io \"bad\" is invalid: [spec.source.kind: Required value, spec.source.name: Required value]");
        JsonArray causes = r.Body!["details"]!["causes"]!.AsArray();
        Assert.Equal(["spec.source.kind", "spec.source.name"], causes.Select(c => (string?)c!["field"]));
        Assert.All(causes, c => Assert.Equal("FieldValueRequired", (string?)c!["reason"]));
        Assert.Equal(rv, _lab.Store.ResourceVersion);

        (int Code, JsonNode? Body) noSpec = await SendAsync(_http, HttpMethod.Post, Snapshots, "{\"apiVersion\":\"snapshot.kubevirt.io/v1beta1\",\"kind\":\"VirtualMachineSnapshot\",\"metadata\":{\"name\":\"bad\"}}");
        AssertStatus(noSpec, 422, "Invalid", "VirtualMachineSnapshot.snapshot.kubevirt.io \"bad\" is invalid: spec: Required value");
    }

    [Fact]
    public async Task WrongTypesAndEnumsAreInvalid()
    {
        (int Code, JsonNode? Body) r = await SendAsync(_http, HttpMethod.Post, Snapshots, "{\"apiVersion\":\"snapshot.kubevirt.io/v1beta1\",\"kind\":\"VirtualMachineSnapshot\",\"metadata\":{\"name\":\"typed\"},\"spec\":{\"source\":{\"apiGroup\":\"kubevirt.io\",\"kind\":\"VirtualMachine\",\"name\":42}}}");
        AssertStatus(r, 422, "Invalid", "VirtualMachineSnapshot.snapshot.kubevirt.io \"typed\" is invalid: spec.source.name: Invalid value: \"integer\": spec.source.name in body must be of type string: \"integer\"");

        string vsclass = "{\"apiVersion\":\"snapshot.storage.k8s.io/v1\",\"kind\":\"VolumeSnapshotClass\",\"metadata\":{\"name\":\"x\"},\"driver\":\"d\",\"deletionPolicy\":\"Keep\"}";
        (int Code, JsonNode? Body) e = await SendAsync(_http, HttpMethod.Post, "/apis/snapshot.storage.k8s.io/v1/volumesnapshotclasses", vsclass);
        AssertStatus(e, 422, "Invalid", "VolumeSnapshotClass.snapshot.storage.k8s.io \"x\" is invalid: deletionPolicy: Unsupported value: \"Keep\": supported values: \"Delete\", \"Retain\"");
        Assert.Equal("FieldValueNotSupported", (string?)e.Body!["details"]!["causes"]![0]!["reason"]);
    }

    [Fact]
    public async Task StatusWritesAreValidatedToo()
    {
        (int Code, JsonNode? Body) r = await SendAsync(_http, HttpMethod.Patch, Snapshots + "/fedora-no-agent-manual/status", "{\"status\":{\"readyToUse\":\"yes\"}}", "application/merge-patch+json");
        AssertStatus(r, 422, "Invalid", "VirtualMachineSnapshot.snapshot.kubevirt.io \"fedora-no-agent-manual\" is invalid: status.readyToUse: Invalid value: \"string\": status.readyToUse in body must be of type boolean: \"string\"");
        Assert.True((bool)_lab.Store.Get("vmsnapshot", "vms", "fedora-no-agent-manual")!["status"]!["readyToUse"]!);
    }

    [Fact]
    public async Task UnknownFieldsArePrunedWithAWarningOrRefusedWhenStrict()
    {
        string body = "{\"apiVersion\":\"snapshot.kubevirt.io/v1beta1\",\"kind\":\"VirtualMachineSnapshot\",\"metadata\":{\"name\":\"pruned\"},\"spec\":{\"source\":{\"apiGroup\":\"kubevirt.io\",\"kind\":\"VirtualMachine\",\"name\":\"centos-stopped\"},\"colour\":\"blue\"}}";
        (int Code, JsonNode? Body) strict = await SendAsync(_http, HttpMethod.Post, Snapshots + "?fieldValidation=Strict", body);
        AssertStatus(strict, 400, "BadRequest", "VirtualMachineSnapshot in version \"v1beta1\" cannot be handled as a VirtualMachineSnapshot: strict decoding error: unknown field \"spec.colour\"");

        using HttpRequestMessage req = new(HttpMethod.Post, Snapshots) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        using HttpResponseMessage resp = await _http.SendAsync(req);
        Assert.Equal(201, (int)resp.StatusCode);
        Assert.Equal(["299 - \"unknown field \\\"spec.colour\\\"\""], resp.Headers.GetValues("Warning"));
        Assert.Null(_lab.Store.Get("vmsnapshot", "vms", "pruned")!["spec"]!["colour"]);
    }

    [Fact]
    public async Task SchemaDefaultsAreApplied()
    {
        string restore = "{\"apiVersion\":\"snapshot.kubevirt.io/v1beta1\",\"kind\":\"VirtualMachineRestore\",\"metadata\":{\"name\":\"r1\"},\"spec\":{\"target\":{\"apiGroup\":\"kubevirt.io\",\"kind\":\"VirtualMachine\",\"name\":\"centos-stopped\"},\"virtualMachineSnapshotName\":\"x\"}}";
        (int Code, JsonNode? Body) r = await SendAsync(_http, HttpMethod.Post, "/apis/snapshot.kubevirt.io/v1beta1/namespaces/vms/virtualmachinerestores", restore);
        Assert.Equal(201, r.Code);
        Assert.Equal("WaitGracePeriod", (string?)r.Body!["spec"]!["targetReadinessPolicy"]);
    }

    [Fact]
    public void EveryScenarioObjectWithASchemaIsValid()
    {
        HashSet<string> checkedKinds = new();
        foreach (ResourceType type in _lab.Store.Catalog.All)
        {
            JsonObject? schema = SchemaCatalog.For(type);
            if (schema == null || type.CreateOnly) continue;
            foreach (JsonObject obj in _lab.Store.List(type.QualifiedResource))
            {
                JsonObject copy = obj.DeepClone().AsObject();
                SchemaValidator result = SchemaValidator.Run(copy, schema);
                Assert.True(result.Errors.Count == 0, $"{type.Kind} {obj["metadata"]!["name"]}: {string.Join("; ", result.Errors)}");
                Assert.True(result.Unknown.Count == 0, $"{type.Kind} {obj["metadata"]!["name"]}: unknown {string.Join(", ", result.Unknown)}");
                checkedKinds.Add(type.Kind);
            }
        }
        Assert.Superset(new HashSet<string> { "VirtualMachineSnapshot", "VirtualMachineSnapshotContent", "VolumeSnapshot", "VolumeSnapshotClass" }, checkedKinds);
    }
}
