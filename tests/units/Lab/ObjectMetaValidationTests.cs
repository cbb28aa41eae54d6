using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using VmSnapshot.Lab;
using Xunit;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Lab;

/// <summary>
/// The lab refuses labels, annotations and finalizers as kube-apiserver 1.32 does (apimachinery
/// pkg/api/validation/objectmeta.go): 422 Invalid, the cause's field and the exact message, nothing stored. Driven
/// through KubernetesClient over HTTP, and kubectl when it is installed.
/// </summary>
public sealed class ObjectMetaValidationTests : IDisposable
{
    private const string QualifiedNameRule = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    private const string LabelValueRule = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
    private const int AnnotationLimit = 262144;

    private readonly LabServer _lab = StartLab();
    private readonly Kubernetes _client;

    public ObjectMetaValidationTests() => _client = Client(_lab);

    public void Dispose()
    {
        _client.Dispose();
        _lab.Dispose();
    }

    private static Dictionary<string, object> Snapshot(string name, Dictionary<string, string>? labels = null, Dictionary<string, string>? annotations = null)
    {
        Dictionary<string, object> metadata = new() { ["name"] = name };
        if (labels != null) metadata["labels"] = labels;
        if (annotations != null) metadata["annotations"] = annotations;
        return new Dictionary<string, object>
        {
            ["apiVersion"] = "snapshot.kubevirt.io/v1beta1",
            ["kind"] = "VirtualMachineSnapshot",
            ["metadata"] = metadata,
            ["spec"] = new Dictionary<string, object>
            {
                ["source"] = new Dictionary<string, object> { ["apiGroup"] = "kubevirt.io", ["kind"] = "VirtualMachine", ["name"] = "centos-stopped" },
            },
        };
    }

    private Task<object> CreateSnapshotAsync(object body)
        => _client.CustomObjects.CreateNamespacedCustomObjectAsync(body, "snapshot.kubevirt.io", "v1beta1", "vms", "virtualmachinesnapshots");

    private static async Task<V1Status> RefusedAsync(Func<Task> call)
    {
        HttpOperationException ex = await Assert.ThrowsAsync<HttpOperationException>(call);
        Assert.True(422 == (int)ex.Response.StatusCode, ex.Response.Content);
        return KubernetesJson.Deserialize<V1Status>(ex.Response.Content);
    }

    private static void AssertInvalid(V1Status status, string message, params (string Reason, string Field, string Message)[] causes)
    {
        Assert.Equal(422, status.Code);
        Assert.Equal("Failure", status.Status);
        Assert.Equal("Invalid", status.Reason);
        Assert.Equal(message, status.Message);
        Assert.Equal(causes, status.Details.Causes.Select(c => (c.Reason, c.Field, c.Message)).ToArray());
    }

    [Fact]
    public async Task ACustomResourceWithABadLabelKeyIsInvalidAndNotCreated()
    {
        long rv = _lab.Store.ResourceVersion;
        V1Status status = await RefusedAsync(() => CreateSnapshotAsync(Snapshot("x", labels: new() { ["bad key!"] = "v" })));
        string cause = "Invalid value: \"bad key!\": name part " + QualifiedNameRule;
        AssertInvalid(status, "VirtualMachineSnapshot.snapshot.kubevirt.io \"x\" is invalid: metadata.labels: " + cause,
            ("FieldValueInvalid", "metadata.labels", cause));
        Assert.Equal("VirtualMachineSnapshot", status.Details.Kind);
        Assert.Equal("snapshot.kubevirt.io", status.Details.Group);
        Assert.Equal("x", status.Details.Name);
        Assert.Equal(rv, _lab.Store.ResourceVersion);
        Assert.Null(_lab.Store.Get("vmsnapshot", "vms", "x"));
    }

    [Fact]
    public async Task ALabelValueBreakingBothRulesGivesBothCausesInOneMessage()
    {
        string value = "-" + new string('a', 63); // 64 characters, starting with '-'
        V1Status status = await RefusedAsync(() => CreateSnapshotAsync(Snapshot("x", labels: new() { ["team"] = value })));
        string tooLong = $"Invalid value: \"{value}\": must be no more than 63 characters";
        string pattern = $"Invalid value: \"{value}\": {LabelValueRule}";
        AssertInvalid(status, $"VirtualMachineSnapshot.snapshot.kubevirt.io \"x\" is invalid: [metadata.labels: {tooLong}, metadata.labels: {pattern}]",
            ("FieldValueInvalid", "metadata.labels", tooLong), ("FieldValueInvalid", "metadata.labels", pattern));
    }

    [Fact]
    public async Task LabelKeysTakeOneDnsSubdomainPrefixAndLabelValuesMayBeEmpty()
    {
        await CreateSnapshotAsync(Snapshot("good", labels: new() { ["example.com/team"] = "", ["Tier_1.x"] = "A-1_b.c" }));
        Assert.NotNull(_lab.Store.Get("vmsnapshot", "vms", "good"));

        V1Status prefix = await RefusedAsync(() => CreateSnapshotAsync(Snapshot("x", labels: new() { ["Example.com/team"] = "a" })));
        string prefixCause = "Invalid value: \"Example.com/team\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
        AssertInvalid(prefix, "VirtualMachineSnapshot.snapshot.kubevirt.io \"x\" is invalid: metadata.labels: " + prefixCause,
            ("FieldValueInvalid", "metadata.labels", prefixCause));

        V1Status slashes = await RefusedAsync(() => CreateSnapshotAsync(Snapshot("x", labels: new() { ["a/b/c"] = "a" })));
        string slashCause = "Invalid value: \"a/b/c\": a qualified name " + QualifiedNameRule + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
        AssertInvalid(slashes, "VirtualMachineSnapshot.snapshot.kubevirt.io \"x\" is invalid: metadata.labels: " + slashCause,
            ("FieldValueInvalid", "metadata.labels", slashCause));
    }

    [Fact]
    public async Task AnnotationsMayHoldExactly256KiBAndNotOneByteMore()
    {
        // len(key) + len(value) over all annotations: "description" is 11 bytes.
        await CreateSnapshotAsync(Snapshot("at-limit", annotations: new() { ["description"] = new string('d', AnnotationLimit - 11) }));
        Assert.NotNull(_lab.Store.Get("vmsnapshot", "vms", "at-limit"));

        long rv = _lab.Store.ResourceVersion;
        V1Status status = await RefusedAsync(() => CreateSnapshotAsync(Snapshot("over", annotations: new() { ["description"] = new string('d', AnnotationLimit - 11), ["a"] = "" })));
        AssertInvalid(status, "VirtualMachineSnapshot.snapshot.kubevirt.io \"over\" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes",
            ("FieldValueTooLong", "metadata.annotations", "Too long: may not be more than 262144 bytes"));
        Assert.Equal(rv, _lab.Store.ResourceVersion);
    }

    [Fact]
    public async Task AnnotationKeysIgnoreCaseButAreQualifiedNames()
    {
        await CreateSnapshotAsync(Snapshot("upper", annotations: new() { ["Example.COM/Note"] = "any text, even !" }));
        Assert.NotNull(_lab.Store.Get("vmsnapshot", "vms", "upper"));

        V1Status status = await RefusedAsync(() => CreateSnapshotAsync(Snapshot("x", annotations: new() { ["my note"] = "n" })));
        string cause = "Invalid value: \"my note\": name part " + QualifiedNameRule;
        AssertInvalid(status, "VirtualMachineSnapshot.snapshot.kubevirt.io \"x\" is invalid: metadata.annotations: " + cause,
            ("FieldValueInvalid", "metadata.annotations", cause));
    }

    [Fact]
    public async Task BuiltInKindsAreCheckedToo()
    {
        V1PersistentVolumeClaim claim = new()
        {
            ApiVersion = "v1",
            Kind = "PersistentVolumeClaim",
            Metadata = new V1ObjectMeta { Name = "big", Annotations = new Dictionary<string, string> { ["note"] = new string('n', AnnotationLimit) } },
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"],
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") } },
            },
        };
        V1Status status = await RefusedAsync(() => _client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(claim, "vms"));
        AssertInvalid(status, "PersistentVolumeClaim \"big\" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes",
            ("FieldValueTooLong", "metadata.annotations", "Too long: may not be more than 262144 bytes"));
        Assert.Equal("PersistentVolumeClaim", status.Details.Kind);
        Assert.Null(_lab.Store.Get("pvc", "vms", "big"));
    }

    [Fact]
    public async Task UpdateAndEveryPatchTypeAreChecked()
    {
        string cause = "Invalid value: \"bad key!\": name part " + QualifiedNameRule;
        string message = "VirtualMachine.kubevirt.io \"centos-stopped\" is invalid: metadata.labels: " + cause;
        string? rvBefore = (string?)_lab.Store.Get("vm", "vms", "centos-stopped")!["metadata"]!["resourceVersion"];

        AssertInvalid(await RefusedAsync(() => _client.CustomObjects.PatchNamespacedCustomObjectAsync(
                new V1Patch("{\"metadata\":{\"labels\":{\"bad key!\":\"v\"}}}", V1Patch.PatchType.MergePatch), "kubevirt.io", "v1", "vms", "virtualmachines", "centos-stopped")),
            message, ("FieldValueInvalid", "metadata.labels", cause));
        AssertInvalid(await RefusedAsync(() => _client.CustomObjects.PatchNamespacedCustomObjectAsync(
                new V1Patch("[{\"op\":\"add\",\"path\":\"/metadata/labels/bad key!\",\"value\":\"v\"}]", V1Patch.PatchType.JsonPatch), "kubevirt.io", "v1", "vms", "virtualmachines", "centos-stopped")),
            message, ("FieldValueInvalid", "metadata.labels", cause));
        AssertInvalid(await RefusedAsync(() => _client.CustomObjects.PatchNamespacedCustomObjectAsync(
                new V1Patch("{\"apiVersion\":\"kubevirt.io/v1\",\"kind\":\"VirtualMachine\",\"metadata\":{\"name\":\"centos-stopped\",\"labels\":{\"bad key!\":\"v\"}}}", V1Patch.PatchType.ApplyPatch),
                "kubevirt.io", "v1", "vms", "virtualmachines", "centos-stopped", fieldManager: "test", force: true)),
            message, ("FieldValueInvalid", "metadata.labels", cause));

        JsonObject current = JsonNode.Parse(JsonSerializer.Serialize(await _client.CustomObjects.GetNamespacedCustomObjectAsync("kubevirt.io", "v1", "vms", "virtualmachines", "centos-stopped")))!.AsObject();
        current["metadata"]!["labels"]!["bad key!"] = "v";
        AssertInvalid(await RefusedAsync(() => _client.CustomObjects.ReplaceNamespacedCustomObjectAsync(
                JsonSerializer.Deserialize<Dictionary<string, object>>(current.ToJsonString())!, "kubevirt.io", "v1", "vms", "virtualmachines", "centos-stopped")),
            message, ("FieldValueInvalid", "metadata.labels", cause));

        // A built-in's strategic merge patch.
        string nsCause = "Invalid value: \"bad key!\": name part " + QualifiedNameRule;
        AssertInvalid(await RefusedAsync(() => _client.CoreV1.PatchNamespaceAsync(
                new V1Patch("{\"metadata\":{\"annotations\":{\"bad key!\":\"v\"}}}", V1Patch.PatchType.StrategicMergePatch), "vms")),
            "Namespace \"vms\" is invalid: metadata.annotations: " + nsCause, ("FieldValueInvalid", "metadata.annotations", nsCause));

        Assert.Equal(rvBefore, (string?)_lab.Store.Get("vm", "vms", "centos-stopped")!["metadata"]!["resourceVersion"]);
        Assert.Null(_lab.Store.Get("vm", "vms", "centos-stopped")!["metadata"]!["labels"]!["bad key!"]);
    }

    [Fact]
    public async Task FinalizerNamesAreCheckedOnCreateOnlyAsUpstream()
    {
        Dictionary<string, object> snapshot = Snapshot("fin");
        ((Dictionary<string, object>)snapshot["metadata"])["finalizers"] = new[] { "example.com/keep", "bad finalizer" };
        V1Status status = await RefusedAsync(() => CreateSnapshotAsync(snapshot));
        string cause = "Invalid value: \"bad finalizer\": name part " + QualifiedNameRule;
        AssertInvalid(status, "VirtualMachineSnapshot.snapshot.kubevirt.io \"fin\" is invalid: metadata.finalizers: " + cause,
            ("FieldValueInvalid", "metadata.finalizers", cause));

        // ValidateObjectMetaAccessorUpdate does not re-check finalizer names, so an update may add one.
        await _client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch("{\"metadata\":{\"finalizers\":[\"bad finalizer\"]}}", V1Patch.PatchType.MergePatch),
            "kubevirt.io", "v1", "vms", "virtualmachines", "centos-stopped");
        Assert.Equal("bad finalizer", (string?)_lab.Store.Get("vm", "vms", "centos-stopped")!["metadata"]!["finalizers"]![0]);
    }

    [SkippableFact]
    public void KubectlShowsTheApiServersRefusal()
    {
        Skip.IfNot(KubectlRunner.Available, "kubectl is not installed at /usr/bin/kubectl");
        using LabServer lab = StartLab(tls: true);
        string file = Path.Combine(Path.GetTempPath(), $"lab-manifest-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, """
            apiVersion: snapshot.kubevirt.io/v1beta1
            kind: VirtualMachineSnapshot
            metadata:
              name: labelled
              labels:
                "bad key!": v
            spec:
              source:
                apiGroup: kubevirt.io
                kind: VirtualMachine
                name: centos-stopped
            """);
        try
        {
            KubectlRunner.Result r = new KubectlRunner(lab).Run("create", "-f", file);
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("The VirtualMachineSnapshot \"labelled\" is invalid: metadata.labels: Invalid value: \"bad key!\": name part " + QualifiedNameRule, r.Err);
            Assert.Null(lab.Store.Get("vmsnapshot", "vms", "labelled"));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
