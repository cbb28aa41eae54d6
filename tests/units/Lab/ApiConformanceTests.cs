using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using VmSnapshot.Lab;
using Xunit;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Lab;

/// <summary>
/// Issue 14 items 1-7: what kubectl 1.32 (over TLS, where it sends its token) and KubernetesClient see of the lab's
/// generic API server, each checked against kube-apiserver 1.32 behaviour. Skipped without kubectl where kubectl drives.
/// </summary>
public sealed class ApiConformanceTests : IDisposable
{
    private const string TableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
    private readonly LabServer _lab = StartLab(tls: true);
    private readonly KubectlRunner _kubectl;

    public ApiConformanceTests() => _kubectl = new KubectlRunner(_lab);

    public void Dispose() => _lab.Dispose();

    private static void RequireKubectl() => Skip.IfNot(KubectlRunner.Available, "kubectl is not installed at /usr/bin/kubectl");

    private static string[] Words(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private KubectlRunner.Result Ok(params string[] args)
    {
        KubectlRunner.Result r = _kubectl.Run(args);
        Assert.True(r.ExitCode == 0, $"kubectl {string.Join(' ', args)} failed ({r.ExitCode}): {r.Err}");
        return r;
    }

    // ---- 1. Tables honour includeObject (k8s.io/apiserver pkg/endpoints/handlers/response.go asTable) ----

    [SkippableFact]
    public void SortByAStatusFieldSortsTheRowsByTheFullObjects()
    {
        RequireKubectl();
        string[] lines = Ok("get", "vmsnapshot", "--sort-by=.status.creationTime").Out.Trim().Split('\n');
        Assert.Equal("NAME", Words(lines[0])[0]);
        // The failed snapshot has no creationTime and sorts first; the others by age, oldest first.
        Assert.Equal(
            ["rhel8-brainy-bear-pre-patch", "rhel8-brainy-bear-before-upgrade", "fedora-no-agent-manual",
             "win2k19-profound-gecko-nightly-20261124", "win2k19-profound-gecko-nightly-20261125"],
            lines.Skip(1).Select(l => Words(l)[0]));
    }

    [Fact]
    public async Task IncludeObjectPicksWhatEachRowCarries()
    {
        using HttpClient http = Http(_lab);
        const string list = "/apis/snapshot.kubevirt.io/v1alpha1/namespaces/vms/virtualmachinesnapshots";
        (int Code, JsonNode? Body) full = await GetAsync(http, list + "?includeObject=Object", TableAccept);
        JsonNode row = full.Body!["rows"]![0]!["object"]!;
        Assert.Equal("VirtualMachineSnapshot", (string?)row["kind"]);
        Assert.Equal("snapshot.kubevirt.io/v1alpha1", (string?)row["apiVersion"]); // converted to the version asked for
        Assert.NotNull(row["spec"]!["source"]);

        (int Code, JsonNode? Body) meta = await GetAsync(http, list + "?includeObject=Metadata", TableAccept);
        Assert.Equal("PartialObjectMetadata", (string?)meta.Body!["rows"]![0]!["object"]!["kind"]);
        Assert.Null(meta.Body["rows"]![0]!["object"]!["spec"]);
        (int Code, JsonNode? Body) byDefault = await GetAsync(http, list, TableAccept);
        Assert.Equal("PartialObjectMetadata", (string?)byDefault.Body!["rows"]![0]!["object"]!["kind"]);

        (int Code, JsonNode? Body) none = await GetAsync(http, list + "?includeObject=None", TableAccept);
        JsonObject noneRow = none.Body!["rows"]![0]!.AsObject();
        Assert.True(noneRow.ContainsKey("object"));
        Assert.Null(noneRow["object"]);

        (int Code, JsonNode? Body) single = await GetAsync(http, list + "/fedora-no-agent-manual?includeObject=Object", TableAccept);
        Assert.Equal("fedora-no-agent", (string?)single.Body!["rows"]![0]!["object"]!["spec"]!["source"]!["name"]);

        AssertStatus(await GetAsync(http, list + "?includeObject=Everything", TableAccept), 400, "BadRequest",
            "Unable to convert to Table as requested: includeObject: Invalid value: \"Everything\": must be 'Metadata', 'Object', 'None', or empty");
        // Without a Table Accept the parameter is not looked at.
        Assert.Equal(200, (await GetAsync(http, list + "?includeObject=Everything")).Code);
    }

    [Fact]
    public async Task ATableWatchCarriesTheObjectsIncludeObjectAsksFor()
    {
        using HttpClient http = Http(_lab);
        using HttpRequestMessage req = new(HttpMethod.Get, "/apis/kubevirt.io/v1/namespaces/vms/virtualmachines?watch=true&resourceVersion=0&includeObject=Object");
        req.Headers.TryAddWithoutValidation("Accept", TableAccept);
        using HttpResponseMessage resp = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead);
        using StreamReader reader = new(await resp.Content.ReadAsStreamAsync());
        JsonNode first = JsonNode.Parse((await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20)))!)!;
        JsonNode row = first["object"]!["rows"]![0]!["object"]!;
        Assert.Equal("VirtualMachine", (string?)row["kind"]);
        Assert.NotNull(row["spec"]);
    }

    // ---- 2. A watch sends its status line and headers at once (watch.go: WriteHeader(200), Flush) ----

    [SkippableFact]
    public async Task AQuietWatchEndsAtTheRequestTimeout()
    {
        RequireKubectl();
        Stopwatch clock = Stopwatch.StartNew();
        KubectlRunner.Result r = await _kubectl.RunAsync(TimeSpan.FromSeconds(90), null, "get", "vmsnapshot", "-w", "--request-timeout=5s");
        clock.Stop();
        Assert.Contains("fedora-no-agent-manual", r.Out); // the list came, then the quiet watch
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"kubectl get -w --request-timeout=5s took {clock.Elapsed}");
    }

    [Fact]
    public async Task AWatchAnswersHeadersBeforeItsFirstEvent()
    {
        using HttpClient http = Http(_lab);
        (int _, JsonNode? listed) = await GetAsync(http, "/apis/kubevirt.io/v1/namespaces/vms/virtualmachines");
        string? rv = (string?)listed!["metadata"]!["resourceVersion"];
        using HttpRequestMessage req = new(HttpMethod.Get, $"/apis/kubevirt.io/v1/namespaces/vms/virtualmachines?watch=true&resourceVersion={rv}");
        using CancellationTokenSource headers = new(TimeSpan.FromSeconds(5));
        using HttpResponseMessage resp = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, headers.Token);
        Assert.Equal(200, (int)resp.StatusCode);
        Assert.Equal("application/json", resp.Content.Headers.ContentType!.MediaType);
    }

    // ---- 4. OpenAPI v3 with schemas: kubectl explain ----

    [SkippableFact]
    public void ExplainWalksTheCrdSchemas()
    {
        RequireKubectl();
        string spec = Ok("explain", "virtualmachinesnapshot.spec").Out;
        Assert.StartsWith("GROUP:      snapshot.kubevirt.io\nKIND:       VirtualMachineSnapshot\nVERSION:    v1beta1\n", spec);
        Assert.Contains("VirtualMachineSnapshotSpec is the spec for a VirtualMachineSnapshot resource", spec);
        Assert.Contains("source\t<Object> -required-", spec);
        Assert.Contains("failureDeadline\t<string>", spec);

        string phase = Ok("explain", "vmsnapshot.status.phase").Out;
        Assert.Contains("FIELD: phase <string>", phase);
        Assert.Contains("VirtualMachineSnapshotPhase is the current phase of the", phase); // kubectl wraps at 76 columns
        Assert.Contains("FIELD: finalizers <[]string>", Ok("explain", "vmrestore.metadata.finalizers").Out);
        Assert.Contains("FIELD: deletionPolicy <string>", Ok("explain", "volumesnapshotclass.deletionPolicy").Out);

        // Kinds without a published schema still explain at the top.
        string claim = Ok("explain", "pvc").Out;
        Assert.StartsWith("KIND:       PersistentVolumeClaim\nVERSION:    v1\n", claim);
        Assert.Contains("metadata\t<ObjectMeta>", claim);

        KubectlRunner.Result missing = _kubectl.Run("explain", "vmsnapshot.spec.nope");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("error: field \"nope\" does not exist", missing.Err);
    }

    // ---- 5. Who am I and what may I do: SelfSubjectReview and SelfSubjectRulesReview ----

    [SkippableFact]
    public void AuthWhoamiNamesTheUserAndGroups()
    {
        RequireKubectl();
        Assert.Equal(["ATTRIBUTE   VALUE", "Username    kubevirt-lab-admin", "Groups      [system:masters system:authenticated]"],
            Ok("auth", "whoami").Out.TrimEnd().Split('\n'));
        Assert.Equal(["ATTRIBUTE   VALUE", "Username    snapshot-viewer", "Groups      [system:authenticated]"],
            Ok("auth", "whoami", "--token=viewer-token").Out.TrimEnd().Split('\n'));
    }

    [SkippableFact]
    public void AuthCanIListShowsTheSameRulesAsCanI()
    {
        RequireKubectl();
        string[] lines = Ok("auth", "can-i", "--list", "--token=viewer-token").Out.TrimEnd().Split('\n');
        Assert.Equal(["Resources", "Non-Resource", "URLs", "Resource", "Names", "Verbs"], Words(lines[0]));
        Assert.Contains(lines, l => Words(l).SequenceEqual(["virtualmachinesnapshots.snapshot.kubevirt.io", "[]", "[]", "[get", "list", "watch]"]));
        Assert.Contains(lines, l => Words(l).SequenceEqual(["selfsubjectrulesreviews.authorization.k8s.io", "[]", "[]", "[create]"]));
        Assert.Contains(lines, l => Words(l).SequenceEqual(["[/apis/*]", "[]", "[get]"]));
        Assert.DoesNotContain(lines, l => l.StartsWith("virtualmachines.kubevirt.io", StringComparison.Ordinal) || l.StartsWith("*.*", StringComparison.Ordinal));
        // can-i answers every listed rule the same way.
        Assert.Equal("yes", _kubectl.Run("auth", "can-i", "create", "selfsubjectrulesreviews.authorization.k8s.io", "--token=viewer-token").Out.Trim());
        Assert.Equal("yes", _kubectl.Run("auth", "can-i", "get", "/apis/kubevirt.io", "--token=viewer-token").Out.Trim());
        Assert.Equal("no", _kubectl.Run("auth", "can-i", "get", "/metrics", "--token=viewer-token").Out.Trim());

        string[] admin = Ok("auth", "can-i", "--list").Out.TrimEnd().Split('\n');
        Assert.Equal(["*.*", "[]", "[]", "[*]"], Words(admin[1]));
    }

    [Fact]
    public async Task ARulesReviewNeedsANamespace()
    {
        using HttpClient http = Http(_lab);
        const string path = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews";
        AssertStatus(await SendAsync(http, HttpMethod.Post, path, "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectRulesReview\",\"spec\":{}}"),
            400, "BadRequest", "no namespace on request");
        (int code, JsonNode? body) = await SendAsync(http, HttpMethod.Post, path, "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectRulesReview\",\"spec\":{\"namespace\":\"vms\"}}");
        Assert.Equal(201, code);
        Assert.Equal(false, (bool?)body!["status"]!["incomplete"]);
        (int _, JsonNode? discovery) = await GetAsync(http, "/apis/authentication.k8s.io/v1");
        Assert.Equal("selfsubjectreviews", (string?)discovery!["resources"]![0]!["name"]);
    }

    // ---- 7. Strategic merge patch on built-in kinds merges lists by their patch strategy ----

    private const string Claim = """
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata:
          name: smp
          finalizers: [FINALIZERS]
        spec:
          accessModes: [ReadWriteOnce]
          resources:
            requests:
              storage: 1Gi
        """;

    private JsonNode? Finalizers() => _lab.Store.Get("pvc", "vms", "smp")!["metadata"]!["finalizers"];

    [SkippableFact]
    public void StrategicPatchMergesFinalizersAndConditions()
    {
        RequireKubectl();
        Ok("create", "-f", WriteManifest(Claim.Replace("FINALIZERS", "example.com/a")));
        // kubectl patch's default type is strategic: the new finalizer joins the list (patch items first, as
        // mergeSortedSlice in k8s.io/apimachinery/pkg/util/strategicpatch/patch.go orders them). The create added
        // kubernetes.io/pvc-protection (the StorageObjectInUseProtection admission plugin).
        Ok("patch", "pvc", "smp", "-p", "{\"metadata\":{\"finalizers\":[\"example.com/b\"]}}");
        Assert.True(JsonNode.DeepEquals(new JsonArray("example.com/b", "example.com/a", "kubernetes.io/pvc-protection"), Finalizers()), Finalizers()?.ToJsonString());
        Ok("patch", "pvc", "smp", "-p", "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"example.com/b\"]}}");
        Assert.True(JsonNode.DeepEquals(new JsonArray("example.com/a", "kubernetes.io/pvc-protection"), Finalizers()), Finalizers()?.ToJsonString());

        // status.conditions merge by type.
        Ok("patch", "pvc", "smp", "--subresource=status", "-p", "{\"status\":{\"conditions\":[{\"type\":\"Resizing\",\"status\":\"True\"}]}}");
        Ok("patch", "pvc", "smp", "--subresource=status", "-p", "{\"status\":{\"conditions\":[{\"type\":\"FileSystemResizePending\",\"status\":\"True\"}]}}");
        Ok("patch", "pvc", "smp", "--subresource=status", "-p", "{\"status\":{\"conditions\":[{\"type\":\"Resizing\",\"status\":\"False\"}]}}");
        JsonArray conditions = _lab.Store.Get("pvc", "vms", "smp")!["status"]!["conditions"]!.AsArray();
        Assert.Equal(["FileSystemResizePending=True", "Resizing=False"], conditions.Select(c => $"{c!["type"]}={c["status"]}"));

        // "$patch: replace" still replaces a merging list.
        Ok("patch", "pvc", "smp", "--subresource=status", "-p", "{\"status\":{\"conditions\":[{\"$patch\":\"replace\"},{\"type\":\"Resizing\",\"status\":\"True\"}]}}");
        Assert.Equal(["Resizing=True"], _lab.Store.Get("pvc", "vms", "smp")!["status"]!["conditions"]!.AsArray().Select(c => $"{c!["type"]}={c["status"]}"));
    }

    [SkippableFact]
    public void ClientSideApplyOfABuiltInKeepsFinalizersItDoesNotManage()
    {
        RequireKubectl();
        Ok("apply", "-f", WriteManifest(Claim.Replace("FINALIZERS", "example.com/x"))); // the create adds kubernetes.io/pvc-protection
        Assert.True(JsonNode.DeepEquals(new JsonArray("example.com/x", "kubernetes.io/pvc-protection"), Finalizers()), Finalizers()?.ToJsonString());
        // kubectl sends {"$setElementOrder/finalizers":[x,z],"finalizers":[z]}: the server's own finalizer stays.
        Assert.Contains("configured", Ok("apply", "-f", WriteManifest(Claim.Replace("FINALIZERS", "example.com/x, example.com/z"))).Out);
        Assert.True(JsonNode.DeepEquals(new JsonArray("example.com/x", "example.com/z", "kubernetes.io/pvc-protection"), Finalizers()), Finalizers()?.ToJsonString());
    }

    [SkippableFact]
    public void CustomResourcesStillRefuseStrategicPatches()
    {
        RequireKubectl();
        KubectlRunner.Result r = _kubectl.Run("patch", "vm", "centos-stopped", "-p", "{\"metadata\":{\"finalizers\":[\"example.com/b\"]}}");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("application/strategic-merge-patch+json is not supported by kubevirt.io/v1, Kind=VirtualMachine", r.Err);
    }

    // ---- 3. No-op writes are no-ops; a dry run keeps the live resourceVersion ----

    private const string DemoVm = """
        apiVersion: kubevirt.io/v1
        kind: VirtualMachine
        metadata:
          name: demo
        spec:
          runStrategy: Halted
          template:
            spec:
              domain:
                devices: {}
        """;

    private string WriteManifest(string yaml)
    {
        string path = Path.Combine(Path.GetTempPath(), $"lab-manifest-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private JsonObject Demo() => _lab.Store.Get("vm", "vms", "demo")!;

    [SkippableFact]
    public async Task AnUnchangedServerSideApplyWritesNothingAndEmitsNoEvent()
    {
        RequireKubectl();
        string file = WriteManifest(DemoVm);
        Ok("apply", "--server-side", "-f", file);
        JsonObject before = Demo();
        string? rv = (string?)before["metadata"]!["resourceVersion"];

        using HttpClient http = Http(_lab);
        using HttpRequestMessage req = new(HttpMethod.Get, $"/apis/kubevirt.io/v1/namespaces/vms/virtualmachines?watch=true&resourceVersion={rv}");
        using HttpResponseMessage resp = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead);
        using StreamReader reader = new(await resp.Content.ReadAsStreamAsync());

        await Task.Delay(1100); // managedFields times have second precision: a rewritten time must show
        Assert.Contains("serverside-applied", Ok("apply", "--server-side", "-f", file).Out);
        JsonObject after = Demo();
        Assert.Equal(rv, (string?)after["metadata"]!["resourceVersion"]);
        Assert.True(JsonNode.DeepEquals(before["metadata"]!["managedFields"], after["metadata"]!["managedFields"]), after["metadata"]!["managedFields"]!.ToJsonString());

        // The next event on the watch is the next real change, not a MODIFIED for the no-op.
        Ok("label", "vm", "demo", "step=two");
        JsonNode first = JsonNode.Parse((await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20)))!)!;
        Assert.Equal("MODIFIED", (string?)first["type"]);
        Assert.Equal("two", (string?)first["object"]!["metadata"]!["labels"]!["step"]);
    }

    [SkippableFact]
    public void UnchangedReplaceAndPatchKeepTheResourceVersion()
    {
        RequireKubectl();
        Ok("create", "-f", WriteManifest(DemoVm));
        string? rv = (string?)Demo()["metadata"]!["resourceVersion"];
        JsonNode managed = Demo()["metadata"]!["managedFields"]!.DeepClone();

        // The object as read, with managedFields, and the same without them (a client that does not know them).
        string live = Ok("get", "vm", "demo", "-o", "json").Out;
        Assert.Contains("replaced", Ok("replace", "-f", WriteManifest(live)).Out);
        JsonNode bare = JsonNode.Parse(live)!;
        bare["metadata"]!.AsObject().Remove("managedFields");
        Assert.Contains("replaced", Ok("replace", "-f", WriteManifest(bare.ToJsonString())).Out);
        Assert.Contains("patched (no change)", Ok("patch", "vm", "demo", "--type=merge", "-p", "{\"spec\":{\"runStrategy\":\"Halted\"}}").Out);

        Assert.Equal(rv, (string?)Demo()["metadata"]!["resourceVersion"]);
        Assert.True(JsonNode.DeepEquals(managed, Demo()["metadata"]!["managedFields"]));
    }

    [SkippableFact]
    public void DiffShowsTheChangeWithoutAResourceVersionChange()
    {
        RequireKubectl();
        Ok("apply", "-f", WriteManifest(DemoVm));
        string? rv = (string?)Demo()["metadata"]!["resourceVersion"];
        static string[] Changed(string diff) => diff.Split('\n')
            .Where(l => (l.StartsWith('+') || l.StartsWith('-')) && !l.StartsWith("+++", StringComparison.Ordinal) && !l.StartsWith("---", StringComparison.Ordinal)).ToArray();
        KubectlRunner.Result diff = _kubectl.Run("diff", "-f", WriteManifest(DemoVm.Replace("Halted", "Always")));
        Assert.True(diff.ExitCode == 1, diff.Err); // kubectl diff: 1 = differences found
        Assert.Equal(["-  generation: 1", "+  generation: 2", "-  runStrategy: Halted", "+  runStrategy: Always"], Changed(diff.Out));
        // Server-side: kubectl-client-side-apply owns runStrategy, so the dry-run apply must force (as on a real cluster).
        KubectlRunner.Result serverSide = _kubectl.Run("diff", "--server-side", "--force-conflicts", "-f", WriteManifest(DemoVm.Replace("Halted", "Manual")));
        Assert.True(serverSide.ExitCode == 1, serverSide.Err);
        Assert.Equal(["-  generation: 1", "+  generation: 2", "-  runStrategy: Halted", "+  runStrategy: Manual"], Changed(serverSide.Out));
        Assert.Equal(rv, (string?)Demo()["metadata"]!["resourceVersion"]);
        Assert.Equal("Halted", (string?)Demo()["spec"]!["runStrategy"]);
    }

    [Fact]
    public async Task ADryRunPatchAnswersTheLiveResourceVersion()
    {
        using Kubernetes client = Client(_lab);
        JsonElement live = (System.Text.Json.JsonElement)await client.CustomObjects.GetNamespacedCustomObjectAsync("kubevirt.io", "v1", "vms", "virtualmachines", "centos-stopped");
        string? rv = live.GetProperty("metadata").GetProperty("resourceVersion").GetString();
        JsonElement dry = (System.Text.Json.JsonElement)await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new k8s.Models.V1Patch("{\"spec\":{\"runStrategy\":\"Always\"}}", k8s.Models.V1Patch.PatchType.MergePatch),
            "kubevirt.io", "v1", "vms", "virtualmachines", "centos-stopped", dryRun: "All");
        Assert.Equal("Always", dry.GetProperty("spec").GetProperty("runStrategy").GetString());
        Assert.Equal(rv, dry.GetProperty("metadata").GetProperty("resourceVersion").GetString());
        Assert.Equal(rv, (string?)_lab.Store.Get("vm", "vms", "centos-stopped")!["metadata"]!["resourceVersion"]);
    }
}

/// <summary>
/// Issue 14 item 6: KubeVirt webhook refusals as kube-apiserver relays them (ToStatusErr in k8s.io/apiserver
/// pkg/admission/plugin/webhook/errors/statuserror.go), with KubeVirt's webhook names and Status fields
/// (webhookutils.ToAdmissionResponse / ToAdmissionResponseError in kubevirt pkg/util/webhooks/webhooks.go).
/// </summary>
public sealed class WebhookConformanceTests : IDisposable
{
    private readonly LabServer _lab = VmSnapshot.Tests.Controllers.ControllerTestSupport.StartControlledLab(tls: true);
    private readonly KubectlRunner _kubectl;

    public WebhookConformanceTests() => _kubectl = new KubectlRunner(_lab);

    public void Dispose() => VmSnapshot.Tests.Controllers.ControllerTestSupport.DisposeAndCheck(_lab);

    private static string Manifest(string yaml)
    {
        string path = Path.Combine(Path.GetTempPath(), $"lab-webhook-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private const string Snapshot = """
        apiVersion: snapshot.kubevirt.io/v1beta1
        kind: VirtualMachineSnapshot
        metadata:
          name: NAME
          namespace: vms
        spec:
          source:
            apiGroup: kubevirt.io
            kind: VirtualMachine
            name: centos-stopped
        """;

    [SkippableFact]
    public void AnInvalidSnapshotIsDeniedInTheApiserversWords()
    {
        Skip.IfNot(KubectlRunner.Available, "kubectl is not installed at /usr/bin/kubectl");
        KubectlRunner.Result r = _kubectl.Run("create", "-f", Manifest(Snapshot.Replace("NAME", "no-group").Replace("    apiGroup: kubevirt.io\n", "")));
        Assert.Equal(1, r.ExitCode);
        // kubectl prints an Invalid Status without kind and name from its causes (cmdutil.StandardErrorMessage),
        // as it does against a real cluster; the Status message itself is checked over HTTP below.
        Assert.Equal("The request is invalid: spec.source.apiGroup: missing apiGroup", r.Err.Trim());
        Assert.Null(_lab.Store.Get("vmsnapshot", "vms", "no-group"));
    }

    [Fact]
    public async Task TheStatusCarriesTheWebhooksReasonCodeAndCauses()
    {
        using HttpClient http = Http(_lab);
        string body = "{\"apiVersion\":\"snapshot.kubevirt.io/v1beta1\",\"kind\":\"VirtualMachineSnapshot\",\"metadata\":{\"name\":\"s\"},"
                   + "\"spec\":{\"source\":{\"kind\":\"VirtualMachine\",\"name\":\"centos-stopped\"}}}";
        (int Code, JsonNode? Body) denied = await SendAsync(http, HttpMethod.Post, "/apis/snapshot.kubevirt.io/v1beta1/namespaces/vms/virtualmachinesnapshots", body);
        AssertStatus(denied, 422, "Invalid", "admission webhook \"virtualmachinesnapshot-validator.snapshot.kubevirt.io\" denied the request: missing apiGroup");
        JsonNode cause = denied.Body!["details"]!["causes"]!.AsArray().Single()!;
        Assert.Equal("FieldValueNotFound", (string?)cause["reason"]);
        Assert.Equal("spec.source.apiGroup", (string?)cause["field"]);
        Assert.Null(denied.Body["details"]!["name"]); // the webhook's details: causes only

        // ToAdmissionResponse names the first ten causes in the message and counts the rest; details keep all.
        string macs = string.Join(",", Enumerable.Range(0, 12).Select(i => $"\"nic{i:D2}\":\"bad\""));
        string clone = "{\"apiVersion\":\"clone.kubevirt.io/v1beta1\",\"kind\":\"VirtualMachineClone\",\"metadata\":{\"name\":\"c\"},"
                    + "\"spec\":{\"source\":{\"apiGroup\":\"kubevirt.io\",\"kind\":\"VirtualMachine\",\"name\":\"centos-stopped\"},\"newMacAddresses\":{" + macs + "}}}";
        (int Code, JsonNode? Body) many = await SendAsync(http, HttpMethod.Post, "/apis/clone.kubevirt.io/v1beta1/namespaces/vms/virtualmachineclones", clone);
        Assert.Equal(422, many.Code);
        Assert.Equal(12, many.Body!["details"]!["causes"]!.AsArray().Count);
        string? message = (string?)many.Body["message"];
        Assert.StartsWith("admission webhook \"vm-clone-validator.kubevirt.io\" denied the request: interface nic00 has malformed MAC address (bad).", message);
        Assert.EndsWith("interface nic09 has malformed MAC address (bad)., and 2 more validation errors", message);
    }

    [SkippableFact]
    public void TheFeatureGateRefusalHasNoReasonAndOnlyBlocksCreates()
    {
        Skip.IfNot(KubectlRunner.Available, "kubectl is not installed at /usr/bin/kubectl");
        Assert.Equal(0, _kubectl.Run("create", "-f", Manifest(Snapshot.Replace("NAME", "before"))).ExitCode);
        _lab.Store.Update("kubevirt", "kubevirt", "kubevirt", kv =>
            kv["spec"]!["configuration"]!["developerConfiguration"]!["disabledFeatureGates"] = new JsonArray("Snapshot"));

        KubectlRunner.Result r = _kubectl.Run("create", "-f", Manifest(Snapshot.Replace("NAME", "after")));
        Assert.Equal(1, r.ExitCode);
        // A Status without reason: kubectl says "Error from server:" with no "(Reason)".
        Assert.Contains("Error from server: error when creating", r.Err);
        Assert.Contains("admission webhook \"virtualmachinesnapshot-validator.snapshot.kubevirt.io\" denied the request: snapshot feature gate not enabled", r.Err);
        Assert.Null(_lab.Store.Get("vmsnapshot", "vms", "after"));

        // vmsnapshot.go checks the gate on create only: an existing snapshot can still be labelled.
        KubectlRunner.Result labelled = _kubectl.Run("label", "vmsnapshot", "before", "-n", "vms", "keep=yes");
        Assert.True(labelled.ExitCode == 0, labelled.Err);
        Assert.Equal("yes", (string?)_lab.Store.Get("vmsnapshot", "vms", "before")!["metadata"]!["labels"]!["keep"]);
    }
}
