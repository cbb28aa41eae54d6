using System.Text.Json.Nodes;
using k8s.Autorest;
using k8s.Models;
using VmSnapshot.Lab;
using Xunit;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Lab;

/// <summary>Scenario users meet real 403s, and SelfSubjectAccessReview answers from the same rules.</summary>
public sealed class AuthorizationTests : IDisposable
{
    private readonly LabServer _lab = StartLab();

    public void Dispose() => _lab.Dispose();

    [Fact]
    public async Task AViewerMayListButNotCreate()
    {
        using HttpClient viewer = Http(_lab, "viewer-token");
        Assert.Equal(200, (await GetAsync(viewer, "/apis/snapshot.kubevirt.io/v1beta1/namespaces/vms/virtualmachinesnapshots")).Code);
        string body = "{\"apiVersion\":\"snapshot.kubevirt.io/v1beta1\",\"kind\":\"VirtualMachineSnapshot\",\"metadata\":{\"name\":\"s1\"},\"spec\":{\"source\":{\"apiGroup\":\"kubevirt.io\",\"kind\":\"VirtualMachine\",\"name\":\"centos-stopped\"}}}";
        (int Code, JsonNode? Body) r = await SendAsync(viewer, HttpMethod.Post, "/apis/snapshot.kubevirt.io/v1beta1/namespaces/vms/virtualmachinesnapshots", body);
        AssertStatus(r, 403, "Forbidden", "virtualmachinesnapshots.snapshot.kubevirt.io is forbidden: User \"snapshot-viewer\" cannot create resource \"virtualmachinesnapshots\" in API group \"snapshot.kubevirt.io\" in the namespace \"vms\"");
        Assert.Equal("snapshot.kubevirt.io", (string?)r.Body!["details"]!["group"]);
        Assert.Equal("virtualmachinesnapshots", (string?)r.Body["details"]!["kind"]);
        Assert.Null(_lab.Store.Get("vmsnapshot", "vms", "s1"));

        AssertStatus(await GetAsync(viewer, "/apis/kubevirt.io/v1/namespaces/vms/virtualmachines/centos-stopped"), 403, "Forbidden",
            "virtualmachines.kubevirt.io \"centos-stopped\" is forbidden: User \"snapshot-viewer\" cannot get resource \"virtualmachines\" in API group \"kubevirt.io\" in the namespace \"vms\"");
        AssertStatus(await GetAsync(viewer, "/apis/storage.k8s.io/v1/storageclasses"), 403, "Forbidden",
            "storageclasses.storage.k8s.io is forbidden: User \"snapshot-viewer\" cannot list resource \"storageclasses\" in API group \"storage.k8s.io\" at the cluster scope");
        AssertStatus(await SendAsync(viewer, HttpMethod.Patch, "/apis/snapshot.kubevirt.io/v1beta1/namespaces/vms/virtualmachinesnapshots/fedora-no-agent-manual/status", "{}", "application/merge-patch+json"), 403, "Forbidden",
            "virtualmachinesnapshots.snapshot.kubevirt.io \"fedora-no-agent-manual\" is forbidden: User \"snapshot-viewer\" cannot patch resource \"virtualmachinesnapshots/status\" in API group \"snapshot.kubevirt.io\" in the namespace \"vms\"");
        // Discovery is open to every authenticated user.
        Assert.Equal(200, (await GetAsync(viewer, "/apis/snapshot.kubevirt.io/v1beta1")).Code);
    }

    [Fact]
    public async Task TheClientMeetsTheSame403()
    {
        k8s.KubernetesClientConfiguration config = k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(_lab.KubeconfigPath);
        config.AccessToken = "viewer-token";
        using k8s.Kubernetes viewer = new(config);
        Dictionary<string, object> body = new()
        {
            ["apiVersion"] = "snapshot.kubevirt.io/v1beta1", ["kind"] = "VirtualMachineSnapshot",
            ["metadata"] = new Dictionary<string, object> { ["name"] = "denied" },
            ["spec"] = new Dictionary<string, object> { ["source"] = new Dictionary<string, string> { ["apiGroup"] = "kubevirt.io", ["kind"] = "VirtualMachine", ["name"] = "centos-stopped" } },
        };
        HttpOperationException ex = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            k8s.CustomObjectsOperationsExtensions.CreateNamespacedCustomObjectAsync(viewer.CustomObjects, body, "snapshot.kubevirt.io", "v1beta1", "vms", "virtualmachinesnapshots"));
        V1Status status = k8s.KubernetesJson.Deserialize<k8s.Models.V1Status>(ex.Response.Content);
        Assert.Equal(403, status.Code);
        Assert.Equal("Forbidden", status.Reason);
        Assert.Equal("virtualmachinesnapshots.snapshot.kubevirt.io is forbidden: User \"snapshot-viewer\" cannot create resource \"virtualmachinesnapshots\" in API group \"snapshot.kubevirt.io\" in the namespace \"vms\"", status.Message);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, ex.Response.StatusCode);
    }

    [Theory]
    [InlineData("viewer-token", "list", "snapshot.kubevirt.io", "virtualmachinesnapshots", true)]
    [InlineData("viewer-token", "create", "snapshot.kubevirt.io", "virtualmachinesnapshots", false)]
    [InlineData("operator-token", "create", "snapshot.kubevirt.io", "virtualmachinesnapshots", true)]
    [InlineData("operator-token", "create", "snapshot.kubevirt.io", "virtualmachinerestores", false)]
    [InlineData(null, "deletecollection", "cdi.kubevirt.io", "datavolumes", true)]
    public async Task SelfSubjectAccessReviewAnswersFromTheRules(string? token, string verb, string group, string resource, bool expected)
    {
        using HttpClient http = Http(_lab, token);
        string review = $"{{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectAccessReview\",\"spec\":{{\"resourceAttributes\":{{\"namespace\":\"vms\",\"verb\":\"{verb}\",\"group\":\"{group}\",\"resource\":\"{resource}\"}}}}}}";
        (int Code, JsonNode? Body) r = await SendAsync(http, HttpMethod.Post, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review);
        Assert.Equal(201, r.Code);
        Assert.Equal("SelfSubjectAccessReview", (string?)r.Body!["kind"]);
        Assert.Equal(expected, (bool)r.Body["status"]!["allowed"]!);
        Assert.Equal(resource, (string?)r.Body["spec"]!["resourceAttributes"]!["resource"]);
    }

    [Fact]
    public void TheTokenIsRandomPerLabAndInTheKubeconfigOnly()
    {
        using LabServer other = StartLab("empty");
        Assert.NotEqual(_lab.Token, other.Token);
        Assert.True(_lab.Token.Length >= 40);
        string kubeconfig = File.ReadAllText(_lab.KubeconfigPath);
        Assert.Contains(_lab.Token, kubeconfig);
        Assert.Contains("namespace: 'vms'", kubeconfig);
        Assert.Contains($"server: '{_lab.Server.ToString().TrimEnd('/')}'", kubeconfig);
        Assert.DoesNotContain(_lab.Token, _lab.ToString());
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_lab.KubeconfigPath));
    }
}
