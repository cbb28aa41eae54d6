using System.Text.Json.Nodes;
using VmSnapshot.Lab;
using VmSnapshot.Tests.Lab;
using Xunit;
using static VmSnapshot.Tests.Controllers.ControllerTestSupport;

namespace VmSnapshot.Tests.Controllers;

/// <summary>
/// virt-api as a client sees it (kubevirt/kubevirt pkg/virt-api/api.go, composeSubresources): the subresource
/// discovery list, version and healthz, and the deprecated but served kubevirt.io/v1alpha3 (api/core/v1/register.go).
/// </summary>
public sealed class VirtApiTests : IDisposable
{
    private readonly LabServer _lab = StartControlledLab();

    public void Dispose() => DisposeAndCheck(_lab);

    [Fact]
    public async Task Subresource_discovery_lists_what_virt_api_lists_names_only()
    {
        using HttpClient http = LabTestSupport.Http(_lab);

        JsonNode list = (await LabTestSupport.GetAsync(http, "/apis/subresources.kubevirt.io/v1")).Body!;

        JsonArray resources = list["resources"]!.AsArray();
        Assert.Equal(31, resources.Count);
        Assert.Equal("expand-vm-spec", (string?)resources[0]!["name"]);
        Assert.Contains(resources, r => (string?)r!["name"] == "virtualmachineinstances/freeze");
        Assert.Contains(resources, r => (string?)r!["name"] == "virtualmachines/expand-spec");
        Assert.All(resources, r =>
        {
            Assert.Equal("", (string?)r!["kind"]);
            Assert.Equal("", (string?)r["singularName"]);
            Assert.True((bool)r["namespaced"]!);
            Assert.True(r.AsObject().ContainsKey("verbs") && r["verbs"] is null, "verbs is null, as Go marshals a nil slice");
        });
    }

    [Fact]
    public async Task Version_answers_every_user_with_the_KubeVirt_version()
    {
        using HttpClient viewer = LabTestSupport.Http(_lab, "viewer-token");

        (int code, JsonNode? body) = await LabTestSupport.GetAsync(viewer, "/apis/subresources.kubevirt.io/v1/version");

        Assert.Equal(200, code);
        Assert.Equal(_lab.Controllers!.Settings.KubeVirt.Version, (string?)body!["gitVersion"]);
        Assert.Equal("gc", (string?)body["compiler"]);
    }

    [Fact]
    public async Task Healthz_reports_the_apiserver_connection_and_needs_a_grant()
    {
        using HttpClient admin = LabTestSupport.Http(_lab);
        using HttpClient viewer = LabTestSupport.Http(_lab, "viewer-token");

        (int code, JsonNode? body) = await LabTestSupport.GetAsync(admin, "/apis/subresources.kubevirt.io/v1/healthz");
        (int Code, JsonNode? Body) refused = await LabTestSupport.GetAsync(viewer, "/apis/subresources.kubevirt.io/v1/healthz");

        Assert.Equal(200, code);
        Assert.Equal("ok", (string?)body!["apiserver"]!["connectivity"]);
        Assert.Equal("v1.32.4", (string?)body["apiserver"]!["version"]!["gitVersion"]);
        Assert.False(string.IsNullOrEmpty((string?)body["config-resource-version"]));
        LabTestSupport.AssertStatus(refused, 403, "Forbidden",
            "healthz.subresources.kubevirt.io is forbidden: User \"snapshot-viewer\" cannot get resource \"healthz\" in API group \"subresources.kubevirt.io\" at the cluster scope");
    }

    [Fact]
    public async Task Kubevirt_io_v1alpha3_is_served_with_its_deprecation_warning()
    {
        using HttpClient http = LabTestSupport.Http(_lab);

        using HttpResponseMessage one = await http.GetAsync("/apis/kubevirt.io/v1alpha3/namespaces/vms/virtualmachines/rhel8-brainy-bear");
        using HttpResponseMessage list = await http.GetAsync("/apis/kubevirt.io/v1alpha3/namespaces/vms/virtualmachines");
        using HttpResponseMessage current = await http.GetAsync("/apis/kubevirt.io/v1/namespaces/vms/virtualmachines/rhel8-brainy-bear");

        const string warning = "299 - \"kubevirt.io/v1alpha3 is now deprecated and will be removed in a future release.\"";
        Assert.Equal(200, (int)one.StatusCode);
        Assert.Equal("kubevirt.io/v1alpha3", (string?)JsonNode.Parse(await one.Content.ReadAsStringAsync())!["apiVersion"]);
        Assert.Equal([warning], one.Headers.GetValues("Warning"));
        Assert.Equal([warning], list.Headers.GetValues("Warning"));
        Assert.False(current.Headers.Contains("Warning"));
    }

    [SkippableFact]
    public async Task Kubectl_prints_the_deprecation_warning_for_v1alpha3()
    {
        Skip.IfNot(KubectlRunner.Available, "kubectl is not installed at /usr/bin/kubectl");
        using LabServer lab = StartControlledLab(tls: true);

        KubectlRunner.Result r = await new KubectlRunner(lab).RunAsync(TimeSpan.FromSeconds(60), null,
            "get", "virtualmachines.v1alpha3.kubevirt.io", "rhel8-brainy-bear", "-n", "vms", "-o", "name");

        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Equal("virtualmachine.kubevirt.io/rhel8-brainy-bear", r.Out.Trim());
        Assert.Contains("Warning: kubevirt.io/v1alpha3 is now deprecated and will be removed in a future release.", r.Err);
    }
}
