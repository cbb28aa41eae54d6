using System.Text.Json.Nodes;
using VmSnapshot.Lab;
using VmSnapshot.Lab.Scenarios;
using Xunit;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Lab;

/// <summary>The built-in scenarios and the scenario file format.</summary>
public sealed class ScenarioTests
{
    [Theory]
    [InlineData("scale:3x20", 3, 20)]
    [InlineData("scale:3X20", 3, 20)]
    [InlineData("scale:1000x1", 1000, 1)]
    public void AScaleNameGivesItsCounts(string name, int namespaces, int vms)
    {
        Assert.True(ScaleScenario.TryParseName(name, out int n, out int v));
        Assert.Equal((namespaces, vms), (n, v));
    }

    [Theory]
    [InlineData("scale:0x5")]
    [InlineData("scale:100000x100")]
    [InlineData("scale:3x99999999999999999999")]
    public void AScaleNameOutOfRangeSaysTheRange(string name)
    {
        FormatException e = Assert.Throws<FormatException>(() => ScaleScenario.TryParseName(name, out _, out _));
        Assert.Equal($"Scenario '{name}': both numbers of scale:NxM must be between 1 and 1000.", e.Message);
    }

    [Fact]
    public void TheDefaultScenarioHasTheDocumentedVirtualMachines()
    {
        using LabServer lab = StartLab();
        Assert.Equal("vms", lab.Namespace);
        Dictionary<string, JsonObject> vms = lab.Store.List("vm", "vms").ToDictionary(v => (string)v["metadata"]!["name"]!);
        Assert.Equal(["app-paused", "centos-stopped", "db-nfs-data", "fedora-hotplug", "fedora-no-agent", "fedora-vmi-hotplug", "rhel8-brainy-bear", "win2k19-profound-gecko"], vms.Keys.Order());
        Assert.Equal("Paused", (string?)vms["app-paused"]["status"]!["printableStatus"]);
        Assert.Equal("Stopped", (string?)vms["centos-stopped"]["status"]!["printableStatus"]);
        Assert.Contains(vms["win2k19-profound-gecko"]["status"]!["conditions"]!.AsArray(), c => (string?)c!["type"] == "AgentConnected");
        Assert.DoesNotContain(vms["fedora-no-agent"]["status"]!["conditions"]!.AsArray(), c => (string?)c!["type"] == "AgentConnected");
        JsonNode nfs = vms["db-nfs-data"]["status"]!["volumeSnapshotStatuses"]!.AsArray().Single(s => (string?)s!["name"] == "data")!;
        Assert.False((bool)nfs["enabled"]!);
        Assert.Equal("No VolumeSnapshotClass: Volume snapshots are not configured for this StorageClass [nfs-csi] [data]", (string?)nfs["reason"]);
        Assert.Equal(2, vms["win2k19-profound-gecko"]["spec"]!["template"]!["spec"]!["domain"]!["devices"]!["disks"]!.AsArray().Count);

        IReadOnlyList<JsonObject> snaps = lab.Store.List("vmsnapshot", "vms");
        Assert.Equal(5, snaps.Count);
        Assert.Equal(2, snaps.Count(s => (string?)s["spec"]!["source"]!["name"] == "win2k19-profound-gecko" && (string?)s["status"]!["phase"] == "Succeeded"));
        JsonObject fedora = snaps.Single(s => (string?)s["spec"]!["source"]!["name"] == "fedora-no-agent");
        Assert.Equal(["NoGuestAgent", "Online"], fedora["status"]!["indications"]!.AsArray().Select(i => (string?)i));
        JsonObject failed = snaps.Single(s => (string?)s["status"]!["phase"] == "Failed");
        // A deadline failure as KubeVirt records it: the Failure condition only, no status.error, no creationTime.
        Assert.Null(failed["status"]!["error"]);
        Assert.Null(failed["status"]!["creationTime"]);
        JsonNode failure = failed["status"]!["conditions"]!.AsArray().Single(c => (string?)c!["type"] == "Failure")!;
        Assert.Equal(("True", "snapshot deadline exceeded"), ((string?)failure["status"], (string?)failure["reason"]));
        foreach (JsonObject? s in snaps.Where(s => (string?)s["status"]!["phase"] == "Succeeded"))
        {
            JsonObject? content = lab.Store.Get("vmsnapshotcontent", "vms", (string)s["status"]!["virtualMachineSnapshotContentName"]!);
            Assert.NotNull(content);
            Assert.Equal((string?)s["metadata"]!["uid"], (string?)content!["metadata"]!["ownerReferences"]![0]!["uid"]);
            Assert.Equal((string?)vms[(string)s["spec"]!["source"]!["name"]!]["metadata"]!["uid"], (string?)s["status"]!["sourceUID"]);
        }
        Assert.Equal("csi.trident.netapp.io", (string?)lab.Store.Get("volumesnapshotclasses", null, "csi-snapclass")!["driver"]);
        Assert.All(lab.Store.List("pvc", "vms"), p => Assert.Equal("Bound", (string?)p["status"]!["phase"]));
    }

    [Fact]
    public void TheEmptyScenarioHasOnlyTheDefaultNamespace()
    {
        using LabServer lab = StartLab("empty");
        Assert.Equal("default", lab.Namespace);
        Assert.Equal(["default"], lab.Store.List("namespaces").Select(n => (string?)n["metadata"]!["name"]));
        Assert.Equal(0, lab.Store.Count("vm"));
    }

    [Fact]
    public async Task AScenarioFileCreatesNamespacesSettingsAndUsers()
    {
        string file = Path.Combine(Path.GetTempPath(), $"scenario-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, """
            apiVersion: lab.vmsnapshot.io/v1
            kind: LabSettings
            namespace: team-a
            users:
              - name: restorer
                token: restorer-token
                rules:
                  - apiGroups: ["snapshot.kubevirt.io"]
                    resources: ["virtualmachinerestores"]
                    verbs: ["*"]
            ---
            apiVersion: kubevirt.io/v1
            kind: VirtualMachine
            metadata:
              name: only-vm
              namespace: team-a
            spec:
              runStrategy: Halted
            status:
              printableStatus: Stopped
            """);
        using LabServer lab = LabServer.Start(new LabOptions { Scenario = file });
        Assert.Equal("team-a", lab.Namespace);
        Assert.Contains("namespace: 'team-a'", File.ReadAllText(lab.KubeconfigPath));
        Assert.NotNull(lab.Store.Get("namespaces", null, "team-a"));
        Assert.Equal("Stopped", (string?)lab.Store.Get("vm", "team-a", "only-vm")!["status"]!["printableStatus"]);
        using HttpClient restorer = Http(lab, "restorer-token");
        Assert.Equal(200, (await GetAsync(restorer, "/apis/snapshot.kubevirt.io/v1beta1/namespaces/team-a/virtualmachinerestores")).Code);
        Assert.Equal(403, (await GetAsync(restorer, "/apis/kubevirt.io/v1/namespaces/team-a/virtualmachines")).Code);
    }

    [Fact]
    public void Stopping_a_lab_deletes_the_kubeconfig_it_named_and_keeps_one_the_caller_named()
    {
        LabServer own = LabServer.Start(new LabOptions { Scenario = "empty" });
        string ownPath = own.KubeconfigPath;
        Assert.True(File.Exists(ownPath));
        own.Dispose();
        Assert.False(File.Exists(ownPath), "the lab's own kubeconfig (with its admin token) outlived the lab");

        string named = Path.Combine(Path.GetTempPath(), $"named-{Guid.NewGuid():N}.kubeconfig");
        try
        {
            using (LabServer lab = LabServer.Start(new LabOptions { Scenario = "empty", KubeconfigPath = named }))
            {
                Assert.Equal(named, lab.KubeconfigPath);
            }

            Assert.True(File.Exists(named), "a kubeconfig the caller named is the caller's to delete");
        }
        finally
        {
            File.Delete(named);
        }
    }

    [Fact]
    public void BadScenariosFailWithAClearMessage()
    {
        FileNotFoundException ex = Assert.Throws<FileNotFoundException>(() => LabServer.Start(new LabOptions { Scenario = "no-such-scenario" }));
        Assert.Contains("neither a built-in scenario (", ex.Message);
        FormatException format = Assert.Throws<FormatException>(() => Scenario.Parse("apiVersion: v1\nkind: Namespace\n", "broken"));
        Assert.Contains("metadata.name are required", format.Message);
        Assert.Throws<ArgumentException>(() => Scenario.Parse("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n", "unknown").Objects.ToList()
            .ForEach(o => { using LabServer lab = StartLab("empty"); lab.Store.Seed(o); }));
    }

    [Fact]
    public void SeveralLabsRunSideBySide()
    {
        using LabServer a = StartLab("empty");
        using LabServer b = StartLab("empty");
        Assert.NotEqual(a.Server.Port, b.Server.Port);
        a.Store.Seed(System.Text.Json.Nodes.JsonNode.Parse(VmJson("only-in-a", "default"))!.AsObject());
        Assert.Null(b.Store.Get("vm", "default", "only-in-a"));
    }
}
