using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using VmSnapshot.Lab;
using Xunit;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Lab;

/// <summary>Conformance through kubectl 1.32 over TLS (kubectl sends tokens only over https). Skipped without kubectl.</summary>
public sealed class KubectlTests : IDisposable
{
    private readonly LabServer _lab = StartLab(tls: true);
    private readonly KubectlRunner _kubectl;

    public KubectlTests() => _kubectl = new KubectlRunner(_lab);

    public void Dispose() => _lab.Dispose();

    private static void RequireKubectl() => Skip.IfNot(KubectlRunner.Available, "kubectl is not installed at /usr/bin/kubectl");

    private static string[] Words(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private KubectlRunner.Result Ok(params string[] args)
    {
        KubectlRunner.Result r = _kubectl.Run(args);
        Assert.True(r.ExitCode == 0, $"kubectl {string.Join(' ', args)} failed ({r.ExitCode}): {r.Err}");
        return r;
    }

    private string WriteManifest(string yaml)
    {
        string path = Path.Combine(Path.GetTempPath(), $"lab-manifest-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private const string DemoVm = """
        apiVersion: kubevirt.io/v1
        kind: VirtualMachine
        metadata:
          name: demo
          labels:
            app: demo
        spec:
          runStrategy: Halted
          template:
            spec:
              domain:
                devices: {}
        """;

    [SkippableFact]
    public void GetPrintsKubeVirtPrinterColumns()
    {
        RequireKubectl();
        string[] lines = Ok("get", "vm").Out.Trim().Split('\n');
        Assert.Equal(["NAME", "AGE", "STATUS", "READY"], Words(lines[0]));
        string[] win = Words(lines.Single(l => l.StartsWith("win2k19-profound-gecko ", StringComparison.Ordinal)));
        Assert.Equal("Running", win[2]);
        Assert.Equal("True", win[3]);
        Assert.Equal(["centos-stopped", "Stopped", "False"], Words(lines.Single(l => l.StartsWith("centos-stopped", StringComparison.Ordinal))).Where((_, i) => i != 1));
        Assert.Equal(9, lines.Length); // header + the eight VMs of the default scenario

        string[] snaps = Ok("get", "vmsnapshot").Out.Trim().Split('\n');
        Assert.Equal(["NAME", "SOURCEKIND", "SOURCENAME", "PHASE", "READYTOUSE", "CREATIONTIME", "ERROR"], Words(snaps[0]));
        string[] failed = Words(snaps.Single(l => l.StartsWith("rhel8-brainy-bear-pre-patch", StringComparison.Ordinal)));
        Assert.Equal(["VirtualMachine", "rhel8-brainy-bear", "Failed", "false"], failed[1..5]);
        // A deadline failure has no creationTime and no status.error (KubeVirt records it only as the Failure
        // condition), so both columns are empty, as kubectl shows them on a real cluster.
        Assert.Empty(failed[5..]);
    }

    [SkippableFact]
    public void GetAllNamespacesAndOutputFormats()
    {
        RequireKubectl();
        string[] all = Ok("get", "vmsnapshots", "-A").Out.Trim().Split('\n');
        Assert.Equal("NAMESPACE", Words(all[0])[0]);
        Assert.Equal(6, all.Length);
        Assert.All(all.Skip(1), l => Assert.Equal("vms", Words(l)[0]));

        JsonNode json = JsonNode.Parse(Ok("get", "vm", "-o", "json").Out)!;
        Assert.Equal("List", (string?)json["kind"]);
        Assert.Equal(8, json["items"]!.AsArray().Count);
        string yaml = Ok("get", "vm", "rhel8-brainy-bear", "-o", "yaml").Out;
        Assert.Contains("kind: VirtualMachine", yaml);
        Assert.Contains("networkName: prod-net", yaml);
        Assert.DoesNotContain("null", yaml.Split('\n').Where(l => l.TrimStart().StartsWith("status:", StringComparison.Ordinal)));
        Assert.Equal("Running", Ok("get", "vm", "win2k19-profound-gecko", "-o", "jsonpath={.status.printableStatus}").Out);

        KubectlRunner.Result missing = _kubectl.Run("get", "vm", "nope");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("Error from server (NotFound): virtualmachines.kubevirt.io \"nope\" not found", missing.Err);
    }

    [SkippableFact]
    public void ApplyTwiceIsCreatedThenUnchanged()
    {
        RequireKubectl();
        string file = WriteManifest(DemoVm);
        Assert.Contains("virtualmachine.kubevirt.io/demo created", Ok("apply", "-f", file).Out);
        string? rv = (string?)_lab.Store.Get("vm", "vms", "demo")!["metadata"]!["resourceVersion"];
        Assert.Contains("virtualmachine.kubevirt.io/demo unchanged", Ok("apply", "-f", file).Out);
        Assert.Equal(rv, (string?)_lab.Store.Get("vm", "vms", "demo")!["metadata"]!["resourceVersion"]);
        File.WriteAllText(file, DemoVm.Replace("Halted", "Always"));
        Assert.Contains("virtualmachine.kubevirt.io/demo configured", Ok("apply", "-f", file).Out);
        Assert.Equal("Always", (string?)_lab.Store.Get("vm", "vms", "demo")!["spec"]!["runStrategy"]);
        Assert.Contains("serverside-applied", Ok("apply", "--server-side", "-f", file).Out);
    }

    [SkippableFact]
    public void CreateReplaceAndStrictValidation()
    {
        RequireKubectl();
        string file = WriteManifest(DemoVm);
        Assert.Contains("virtualmachine.kubevirt.io/demo created", Ok("create", "-f", file).Out);
        KubectlRunner.Result again = _kubectl.Run("create", "-f", file);
        Assert.Contains("Error from server (AlreadyExists): error when creating", again.Err);
        Assert.Contains("virtualmachines.kubevirt.io \"demo\" already exists", again.Err);
        File.WriteAllText(file, DemoVm.Replace("Halted", "Manual"));
        Assert.Contains("virtualmachine.kubevirt.io/demo replaced", Ok("replace", "-f", file).Out);
        Assert.Equal("Manual", (string?)_lab.Store.Get("vm", "vms", "demo")!["spec"]!["runStrategy"]);
        Assert.Equal(2L, (long?)_lab.Store.Get("vm", "vms", "demo")!["metadata"]!["generation"]);

        string bad = WriteManifest(DemoVm.Replace("name: demo", "name: strict") + "\nbogus: 1\n");
        KubectlRunner.Result refused = _kubectl.Run("create", "-f", bad);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("strict decoding error: unknown field \"bogus\"", refused.Err);
        Assert.Null(_lab.Store.Get("vm", "vms", "strict"));
    }

    [SkippableFact]
    public void PatchLabelAndAnnotate()
    {
        RequireKubectl();
        Assert.Contains("patched", Ok("patch", "vm", "centos-stopped", "--type=merge", "-p", "{\"spec\":{\"runStrategy\":\"Always\"}}").Out);
        Assert.Equal("Always", (string?)_lab.Store.Get("vm", "vms", "centos-stopped")!["spec"]!["runStrategy"]);
        Ok("patch", "vm", "centos-stopped", "--type=json", "-p", "[{\"op\":\"replace\",\"path\":\"/spec/runStrategy\",\"value\":\"Halted\"}]");
        Assert.Equal("Halted", (string?)_lab.Store.Get("vm", "vms", "centos-stopped")!["spec"]!["runStrategy"]);

        KubectlRunner.Result strategic = _kubectl.Run("patch", "vm", "centos-stopped", "-p", "{\"spec\":{\"runStrategy\":\"Always\"}}");
        Assert.NotEqual(0, strategic.ExitCode);
        Assert.Contains("application/strategic-merge-patch+json is not supported by kubevirt.io/v1, Kind=VirtualMachine: the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml", strategic.Err);

        Assert.Contains("labeled", Ok("label", "vm", "centos-stopped", "tier=gold").Out);
        Assert.Contains("annotated", Ok("annotate", "vm", "centos-stopped", "owner=ops").Out);
        JsonObject vm = _lab.Store.Get("vm", "vms", "centos-stopped")!;
        Assert.Equal("gold", (string?)vm["metadata"]!["labels"]!["tier"]);
        Assert.Equal("ops", (string?)vm["metadata"]!["annotations"]!["owner"]);
        Assert.Equal("centos-stopped", Words(Ok("get", "vm", "-l", "tier=gold", "-o", "name").Out.Trim().Replace("virtualmachine.kubevirt.io/", ""))[0]);
    }

    [SkippableFact]
    public void DeleteWithAndWithoutFinalizers()
    {
        RequireKubectl();
        Assert.Contains("virtualmachine.kubevirt.io \"fedora-no-agent\" deleted", Ok("delete", "vm", "fedora-no-agent").Out);
        Assert.Null(_lab.Store.Get("vm", "vms", "fedora-no-agent"));

        _lab.Store.Update("vm", "vms", "centos-stopped", o => o["metadata"]!["finalizers"] = new JsonArray("example.com/hold"));
        Ok("delete", "vm", "centos-stopped", "--wait=false");
        JsonObject held = _lab.Store.Get("vm", "vms", "centos-stopped")!;
        Assert.NotNull(held["metadata"]!["deletionTimestamp"]);
        Assert.Equal(0L, (long?)held["metadata"]!["deletionGracePeriodSeconds"]);

        // delete --wait blocks until a "controller" removes the finalizer.
        Task release = Task.Run(async () =>
        {
            await Task.Delay(1500);
            _lab.Store.Update("vm", "vms", "centos-stopped", o => ((JsonObject)o["metadata"]!).Remove("finalizers"));
        });
        DateTime started = DateTime.UtcNow;
        Assert.Contains("deleted", Ok("delete", "vm", "centos-stopped", "--timeout=20s").Out);
        Assert.True(DateTime.UtcNow - started > TimeSpan.FromSeconds(1.2));
        release.Wait();
        Assert.Null(_lab.Store.Get("vm", "vms", "centos-stopped"));
    }

    [SkippableFact]
    public async Task WaitForJsonPathAndCondition()
    {
        RequireKubectl();
        Task flip = Task.Run(async () =>
        {
            await Task.Delay(1500);
            _lab.Store.Update("vm", "vms", "centos-stopped", o => o["status"]!["printableStatus"] = "Running");
        });
        KubectlRunner.Result r = await _kubectl.RunAsync(TimeSpan.FromSeconds(30), null, "wait", "vm/centos-stopped", "--for=jsonpath={.status.printableStatus}=Running", "--timeout=20s");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("condition met", r.Out);
        await flip;

        Ok("wait", "vm/win2k19-profound-gecko", "--for=condition=Ready", "--timeout=10s");
        KubectlRunner.Result timedOut = _kubectl.Run("wait", "vm/centos-stopped", "--for=condition=Ready", "--timeout=2s");
        Assert.Equal(1, timedOut.ExitCode);
        Assert.Contains("timed out waiting for the condition on virtualmachines/centos-stopped", timedOut.Err);
    }

    [SkippableFact]
    public async Task GetWatchPrintsTableRowsForChanges()
    {
        RequireKubectl();
        using Process p = _kubectl.Start(false, "get", "vm", "-w");
        StringBuilder output = new();
        Task reader = Task.Run(async () =>
        {
            string? line;
            while ((line = await p.StandardOutput.ReadLineAsync()) != null) lock (output) output.AppendLine(line);
        });
        string Text() { lock (output) return output.ToString(); }
        DateTime deadline = DateTime.UtcNow.AddSeconds(20);
        while (!Text().Contains("app-paused") && DateTime.UtcNow < deadline) await Task.Delay(50);
        _lab.Store.Update("vm", "vms", "centos-stopped", o => o["status"]!["printableStatus"] = "Starting");
        while (!Text().Contains("Starting") && DateTime.UtcNow < deadline) await Task.Delay(50);
        p.Kill();
        await reader;
        string[] lines = Text().Trim().Split('\n');
        Assert.Equal(["NAME", "AGE", "STATUS", "READY"], Words(lines[0]));
        Assert.Single(lines, l => l.StartsWith("NAME", StringComparison.Ordinal)); // one header: Table rows, not raw objects
        Assert.Contains(lines, l => l.StartsWith("centos-stopped", StringComparison.Ordinal) && l.Contains("Starting"));
    }

    [SkippableFact]
    public void AuthCanIAnswersFromTheScenarioRules()
    {
        RequireKubectl();
        Assert.Equal("yes", Ok("auth", "can-i", "create", "virtualmachinesnapshots.snapshot.kubevirt.io").Out.Trim());
        KubectlRunner.Result viewer = _kubectl.Run("auth", "can-i", "create", "virtualmachinesnapshots.snapshot.kubevirt.io", "--token=viewer-token");
        Assert.Equal("no", viewer.Out.Trim());
        KubectlRunner.Result forbidden = _kubectl.Run("create", "-f", WriteManifest(DemoVm), "--token=viewer-token");
        Assert.Contains("virtualmachines.kubevirt.io is forbidden: User \"snapshot-viewer\" cannot create resource \"virtualmachines\" in API group \"kubevirt.io\" in the namespace \"vms\"", forbidden.Err);
    }
}

/// <summary>More kubectl flows: namespaces, delete -f, wait --for=delete, get -A -w.</summary>
public sealed class KubectlMoreTests : IDisposable
{
    private readonly LabServer _lab = StartLab(tls: true);
    private readonly KubectlRunner _kubectl;

    public KubectlMoreTests() => _kubectl = new KubectlRunner(_lab);

    public void Dispose() => _lab.Dispose();

    private KubectlRunner.Result Ok(params string[] args)
    {
        KubectlRunner.Result r = _kubectl.Run(args);
        Assert.True(r.ExitCode == 0, $"kubectl {string.Join(' ', args)} failed ({r.ExitCode}): {r.Err}");
        return r;
    }

    [SkippableFact]
    public void CreateNamespaceThenApplyAMultiDocumentFileAndDeleteItByFile()
    {
        Skip.IfNot(KubectlRunner.Available, "kubectl is not installed at /usr/bin/kubectl");
        Assert.Contains("namespace/team-b created", Ok("create", "namespace", "team-b").Out);
        Assert.Equal("Active", Ok("get", "ns", "team-b", "-o", "jsonpath={.status.phase}").Out);
        string file = Path.Combine(Path.GetTempPath(), $"lab-multi-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, """
            apiVersion: kubevirt.io/v1
            kind: VirtualMachine
            metadata:
              name: one
              namespace: team-b
            spec:
              runStrategy: Halted
            ---
            apiVersion: snapshot.kubevirt.io/v1beta1
            kind: VirtualMachineSnapshot
            metadata:
              name: one-snap
              namespace: team-b
            spec:
              source:
                apiGroup: kubevirt.io
                kind: VirtualMachine
                name: one
            """);
        string applied = Ok("apply", "-f", file).Out;
        Assert.Contains("virtualmachine.kubevirt.io/one created", applied);
        Assert.Contains("virtualmachinesnapshot.snapshot.kubevirt.io/one-snap created", applied);
        string deleted = Ok("delete", "-f", file).Out;
        Assert.Contains("virtualmachinesnapshot.snapshot.kubevirt.io \"one-snap\" deleted", deleted);
        Assert.Null(_lab.Store.Get("vm", "team-b", "one"));
    }

    [SkippableFact]
    public async Task WaitForDeleteReturnsWhenTheObjectGoes()
    {
        Skip.IfNot(KubectlRunner.Available, "kubectl is not installed at /usr/bin/kubectl");
        Task remove = Task.Run(async () =>
        {
            await Task.Delay(1500);
            _lab.Store.Delete("vmsnapshot", "vms", "fedora-no-agent-manual");
        });
        KubectlRunner.Result r = await _kubectl.RunAsync(TimeSpan.FromSeconds(30), null, "wait", "vmsnapshot/fedora-no-agent-manual", "--for=delete", "--timeout=20s");
        await remove;
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("condition met", r.Out);
    }

    [SkippableFact]
    public async Task GetAllNamespacesWatchShowsTheNamespaceColumn()
    {
        Skip.IfNot(KubectlRunner.Available, "kubectl is not installed at /usr/bin/kubectl");
        using Process p = _kubectl.Start(false, "get", "vmsnapshots", "-A", "-w");
        StringBuilder output = new();
        Task reader = Task.Run(async () =>
        {
            string? line;
            while ((line = await p.StandardOutput.ReadLineAsync()) != null) lock (output) output.AppendLine(line);
        });
        string Text() { lock (output) return output.ToString(); }
        DateTime deadline = DateTime.UtcNow.AddSeconds(20);
        while (!Text().Contains("rhel8-brainy-bear-pre-patch") && DateTime.UtcNow < deadline) await Task.Delay(50);
        _lab.Store.Seed(System.Text.Json.Nodes.JsonNode.Parse("""
            {"apiVersion":"snapshot.kubevirt.io/v1beta1","kind":"VirtualMachineSnapshot","metadata":{"name":"late","namespace":"elsewhere"},
             "spec":{"source":{"apiGroup":"kubevirt.io","kind":"VirtualMachine","name":"x"}},"status":{"phase":"InProgress"}}
            """)!.AsObject());
        while (!Text().Contains("late") && DateTime.UtcNow < deadline) await Task.Delay(50);
        p.Kill();
        await reader;
        string[] lines = Text().Trim().Split('\n');
        Assert.StartsWith("NAMESPACE", lines[0]);
        string late = lines.Single(l => l.Contains(" late "));
        Assert.StartsWith("elsewhere", late);
        Assert.Contains("InProgress", late);
    }
}
