using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using VmSnapshot.Lab;
using VmSnapshot.Tests.Lab;
using Xunit;
using static VmSnapshot.Tests.Controllers.ControllerTestSupport;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Controllers;

/// <summary>
/// The virt-launcher pod virt-controller creates per VMI (kubevirt pkg/virt-controller/services/template.go) as scripts
/// see it through kubectl 1.32 and KubernetesClient, and pods/log and exec failing as an apiserver fails without a
/// kubelet to reach (kubernetes pkg/registry/core/pod/strategy.go LogLocation, streamLocation).
/// </summary>
public sealed class LauncherPodTests : IDisposable
{
    private const string Pods = "/api/v1/namespaces/vms/pods";
    private readonly LabServer _lab = StartControlledLab(tls: true);
    private readonly HttpClient _http;

    public LauncherPodTests() => _http = Http(_lab);

    public void Dispose()
    {
        _http.Dispose();
        DisposeAndCheck(_lab);
    }

    private static string[] Words(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private async Task<JsonObject> LauncherPodOf(string vmi)
    {
        (int code, JsonNode? list) = await LabTestSupport.GetAsync(_http, $"{Pods}?labelSelector=kubevirt.io%3Dvirt-launcher,vm.kubevirt.io%2Fname%3D{vmi}");
        Assert.Equal(200, code);
        return Assert.Single(list!["items"]!.AsArray())!.AsObject();
    }

    private async Task<List<JsonObject>> ActiveVmis()
    {
        (_, JsonNode? list) = await LabTestSupport.GetAsync(_http, "/apis/kubevirt.io/v1/namespaces/vms/virtualmachineinstances");
        return list!["items"]!.AsArray().Select(v => v!.AsObject()).Where(v => Str(v, "status", "phase") is not ("Succeeded" or "Failed")).ToList();
    }

    [SkippableFact]
    public async Task Kubectl_get_pods_lists_a_launcher_pod_per_running_VMI_with_its_node_and_the_printPod_columns()
    {
        Skip.IfNot(KubectlRunner.Available, "kubectl is not installed at /usr/bin/kubectl");
        KubectlRunner kubectl = new(_lab);
        List<JsonObject> vmis = await ActiveVmis();

        KubectlRunner.Result wide = kubectl.Run("get", "po", "-n", "vms", "-o", "wide");

        Assert.True(wide.ExitCode == 0, wide.Err);
        string[] lines = wide.Out.Trim().Split('\n');
        Assert.Equal(["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED", "NODE", "READINESS", "GATES"], Words(lines[0]));
        Assert.Equal(vmis.Count, lines.Length - 1);
        foreach (JsonObject vmi in vmis)
        {
            string name = Str(vmi, "metadata", "name")!;
            string[] row = Words(Assert.Single(lines, l => l.StartsWith($"virt-launcher-{name}-", StringComparison.Ordinal)));
            Assert.Matches($"^virt-launcher-{name}-[bcdfghjklmnpqrstvwxz2456789]{{5}}$", row[0]);
            Assert.Equal("Running", row[2]);
            Assert.Equal("0", row[3]);
            Assert.Equal(Str(vmi, "status", "nodeName"), row[6]);
            Assert.Equal("<none>", row[7]);
            // compute plus the guest-console-log sidecar; the readiness gate follows the VMI's pause state.
            bool paused = Condition(vmi, "Paused")?.StartsWith("Paused=True", StringComparison.Ordinal) == true;
            Assert.Equal(paused ? "0/1" : "1/1", row[8]);
        }
        Assert.Equal(["2/2", "Running"], Words(lines.Single(l => l.StartsWith("virt-launcher-rhel8-brainy-bear-", StringComparison.Ordinal)))[1..3]);

        // The way scripts find a VM's launcher pod: its labels, and the node in a jsonpath.
        KubectlRunner.Result byLabel = kubectl.Run("get", "pods", "-n", "vms", "-l", "kubevirt.io=virt-launcher,vm.kubevirt.io/name=rhel8-brainy-bear",
            "-o", "jsonpath={.items[*].spec.nodeName} {.items[*].status.phase} {.items[*].metadata.ownerReferences[0].kind}");
        Assert.True(byLabel.ExitCode == 0, byLabel.Err);
        Assert.Equal("worker-2.example.internal Running VirtualMachineInstance", byLabel.Out);
        KubectlRunner.Result all = kubectl.Run("get", "all", "-n", "vms", "-o", "name");
        Assert.Contains(all.Out.Split('\n'), l => l.StartsWith("pod/virt-launcher-rhel8-brainy-bear-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_launcher_pod_carries_KubeVirts_labels_annotations_owner_and_the_VMIs_activePods_names_it()
    {
        JsonObject vmi = (await GetAsync(_http, "virtualmachineinstances", "vms", "rhel8-brainy-bear"))!;
        JsonObject pod = await LauncherPodOf("rhel8-brainy-bear");

        JsonNode labels = pod["metadata"]!["labels"]!;
        Assert.Equal("virt-launcher", Str(labels, "kubevirt.io"));
        Assert.Equal(Str(vmi, "metadata", "uid"), Str(labels, "kubevirt.io/created-by"));
        Assert.Equal("rhel8-brainy-bear", Str(labels, "vmi.kubevirt.io/id"));
        Assert.Equal(Str(vmi, "metadata", "labels", "kubevirt.io/domain"), Str(labels, "kubevirt.io/domain")); // copied from the VMI
        Assert.Null(Str(labels, "kubevirt.io/nodeName"));
        Assert.Equal("compute", Str(pod, "metadata", "annotations", "kubectl.kubernetes.io/default-container"));
        Assert.Equal("rhel8-brainy-bear", Str(pod, "metadata", "annotations", "kubevirt.io/domain"));
        Assert.Equal("virt-launcher-rhel8-brainy-bear-", Str(pod, "metadata", "generateName"));
        JsonNode owner = Assert.Single(pod["metadata"]!["ownerReferences"]!.AsArray())!;
        Assert.Equal(["VirtualMachineInstance", "rhel8-brainy-bear", Str(vmi, "metadata", "uid")!], [Str(owner, "kind")!, Str(owner, "name")!, Str(owner, "uid")!]);
        Assert.True(owner["controller"]!.GetValue<bool>() && owner["blockOwnerDeletion"]!.GetValue<bool>());

        string node = Str(vmi, "status", "nodeName")!;
        Assert.Equal(node, Str(pod, "spec", "nodeName"));
        Assert.Equal(node, Str(vmi, "status", "activePods", Str(pod, "metadata", "uid")!));
        Assert.Single(vmi["status"]!["activePods"]!.AsObject());
        Assert.Equal(Str(vmi["status"]!["interfaces"]![0], "ipAddress"), Str(pod, "status", "podIP"));
        Assert.Equal(["compute"], pod["spec"]!["containers"]!.AsArray().Select(c => Str(c, "name")!));
        Assert.Equal("Running", Str(pod, "status", "phase"));
        Assert.Equal("Ready=True/", Condition(pod, "Ready"));
        Assert.Equal("kubevirt.io/virtual-machine-unpaused=False/Paused", Condition(await LauncherPodOf("app-paused"), "kubevirt.io/virtual-machine-unpaused"));
    }

    [Fact]
    public async Task KubernetesClient_reads_the_pods_as_V1Pod()
    {
        using Kubernetes client = ControllerTestSupport.Client(_lab);

        V1PodList pods = await client.CoreV1.ListNamespacedPodAsync("vms", labelSelector: "kubevirt.io=virt-launcher");

        Assert.Equal((await ActiveVmis()).Count, pods.Items.Count);
        V1Pod rhel = pods.Items.Single(p => p.Metadata.Labels["vm.kubevirt.io/name"] == "rhel8-brainy-bear");
        Assert.Equal("compute", rhel.Status.ContainerStatuses.Single().Name);
        Assert.True(rhel.Status.ContainerStatuses.Single().Ready);
        Assert.Equal("guest-console-log", rhel.Spec.InitContainers.Single().Name);
        Assert.Equal("Always", rhel.Spec.InitContainers.Single().RestartPolicy);
    }

    [SkippableFact]
    public async Task Kubectl_logs_fails_as_an_apiserver_that_cannot_reach_the_kubelet()
    {
        Skip.IfNot(KubectlRunner.Available, "kubectl is not installed at /usr/bin/kubectl");
        KubectlRunner kubectl = new(_lab);
        string pod = Str(await LauncherPodOf("rhel8-brainy-bear"), "metadata", "name")!;

        KubectlRunner.Result logs = kubectl.Run("logs", "-n", "vms", pod);
        KubectlRunner.Result tail = kubectl.Run("logs", "-n", "vms", pod, "-c", "guest-console-log", "--tail=5");

        Assert.Equal(1, logs.ExitCode);
        Assert.Equal($"Error from server: Get \"https://192.168.10.12:10250/containerLogs/vms/{pod}/compute\": dial tcp 192.168.10.12:10250: connect: connection refused", logs.Err.Trim());
        Assert.Equal(1, tail.ExitCode);
        Assert.Equal($"Error from server: Get \"https://192.168.10.12:10250/containerLogs/vms/{pod}/guest-console-log?tailLines=5\": dial tcp 192.168.10.12:10250: connect: connection refused", tail.Err.Trim());
    }

    [Fact]
    public async Task Log_and_exec_answer_as_the_apiserver_does_before_and_when_dialing_the_kubelet()
    {
        string pod = Str(await LauncherPodOf("win2k19-profound-gecko"), "metadata", "name")!;

        AssertStatus(await LabTestSupport.GetAsync(_http, $"{Pods}/{pod}/log"), 500, null,
            $"Get \"https://192.168.10.11:10250/containerLogs/vms/{pod}/compute\": dial tcp 192.168.10.11:10250: connect: connection refused");
        AssertStatus(await LabTestSupport.GetAsync(_http, $"{Pods}/{pod}/log?container=qemu"), 400, "BadRequest", $"container qemu is not valid for pod {pod}");
        AssertStatus(await LabTestSupport.GetAsync(_http, $"{Pods}/virt-launcher-nope-x2x2x/log"), 404, "NotFound", "pods \"virt-launcher-nope-x2x2x\" not found");
        AssertStatus(await SendAsync(_http, HttpMethod.Post, $"{Pods}/{pod}/exec?command=date&stdout=true", ""), 400, "BadRequest", "Upgrade request required");

        using HttpRequestMessage upgrade = new(HttpMethod.Post, $"{Pods}/{pod}/exec?command=date&stdout=true");
        upgrade.Headers.TryAddWithoutValidation("Connection", "Upgrade");
        upgrade.Headers.TryAddWithoutValidation("Upgrade", "SPDY/3.1");
        using HttpResponseMessage refused = await _http.SendAsync(upgrade);
        JsonNode status = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        Assert.Equal(500, (int)refused.StatusCode);
        Assert.Equal("error dialing backend: dial tcp 192.168.10.11:10250: connect: connection refused", Str(status, "message"));
        Assert.Null(status["reason"]);
    }

    [Fact]
    public async Task A_pod_created_through_the_API_needs_a_container_and_stays_Pending_with_no_node_and_no_log()
    {
        AssertStatus(await SendAsync(_http, HttpMethod.Post, Pods, "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"bad\"},\"spec\":{}}"),
            422, "Invalid", "Pod \"bad\" is invalid: spec.containers: Required value");
        AssertStatus(await SendAsync(_http, HttpMethod.Post, Pods, "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"bad\"},\"spec\":{\"containers\":[{\"name\":\"c\"}]}}"),
            422, "Invalid", "Pod \"bad\" is invalid: spec.containers[0].image: Required value");

        JsonObject created = await CreateAsync(_http, "pods", "vms",
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"tools\"},\"spec\":{\"containers\":[{\"name\":\"sh\",\"image\":\"busybox\"}]},\"status\":{\"phase\":\"Running\"}}");

        Assert.Equal(["Pending", "BestEffort"], [Str(created, "status", "phase")!, Str(created, "status", "qosClass")!]);
        using HttpResponseMessage log = await _http.GetAsync($"{Pods}/tools/log");
        Assert.Equal(200, (int)log.StatusCode);
        Assert.Equal("", await log.Content.ReadAsStringAsync());
        AssertStatus(await SendAsync(_http, HttpMethod.Post, $"{Pods}/tools/exec?command=sh", ""), 400, "BadRequest", "pod tools does not have a host assigned");
    }

    [Fact]
    public async Task The_pod_Table_has_printPods_columns_and_cells()
    {
        string pod = Str(await LauncherPodOf("app-paused"), "metadata", "name")!;

        JsonNode table = (await LabTestSupport.GetAsync(_http, $"{Pods}/{pod}", "application/json;as=Table;v=v1;g=meta.k8s.io")).Body!;

        JsonArray columns = table["columnDefinitions"]!.AsArray();
        Assert.Equal(["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"], columns.Select(c => Str(c, "name")!));
        Assert.All(columns, c => Assert.Equal("string", Str(c, "type")));
        Assert.Equal([0, 0, 0, 0, 0, 1, 1, 1, 1], columns.Select(c => (int)c!["priority"]!));
        string[] cells = Strings(table["rows"]![0]!["cells"]);
        Assert.Equal([pod, "2/2", "Running", "0"], cells[..4]);
        Assert.Equal(["worker-2.example.internal", "<none>", "0/1"], cells[6..]);
    }

    [Fact]
    public async Task Discovery_lists_pods_with_their_verbs_short_name_category_and_connect_subresources()
    {
        JsonArray resources = (await LabTestSupport.GetAsync(_http, "/api/v1")).Body!["resources"]!.AsArray();

        JsonNode pods = resources.Single(r => Str(r, "name") == "pods")!;
        Assert.Equal(["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"], Strings(pods["verbs"]));
        Assert.Equal(["po"], Strings(pods["shortNames"]));
        Assert.Equal(["all"], Strings(pods["categories"]));
        string[] subresources = resources.Select(r => Str(r, "name")!).Where(n => n.StartsWith("pods/", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["pods/attach", "pods/exec", "pods/log", "pods/portforward", "pods/status"], subresources);
        JsonNode log = resources.Single(r => Str(r, "name") == "pods/log")!;
        Assert.Equal(["Pod", "get"], [Str(log, "kind")!, .. Strings(log["verbs"])]);
        Assert.Equal("PodExecOptions", Str(resources.Single(r => Str(r, "name") == "pods/exec"), "kind"));
    }

    [Fact]
    public async Task Scenario_users_need_a_grant_for_pods_and_for_their_logs()
    {
        using HttpClient operatorUser = Http(_lab, "operator-token");
        string pod = Str(await LauncherPodOf("rhel8-brainy-bear"), "metadata", "name")!;

        AssertStatus(await LabTestSupport.GetAsync(operatorUser, Pods), 403, "Forbidden",
            "pods is forbidden: User \"snapshot-operator\" cannot list resource \"pods\" in API group \"\" in the namespace \"vms\"");
        AssertStatus(await LabTestSupport.GetAsync(operatorUser, $"{Pods}/{pod}/log"), 403, "Forbidden",
            $"pods \"{pod}\" is forbidden: User \"snapshot-operator\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"vms\"");
    }

    [Fact]
    public async Task Starting_a_VM_makes_its_launcher_pod_and_stopping_it_garbage_collects_the_pod()
    {
        const string sub = "/apis/subresources.kubevirt.io/v1/namespaces/vms/virtualmachines/centos-stopped";
        (int Code, JsonNode? Body) none = await LabTestSupport.GetAsync(_http, $"{Pods}?labelSelector=vm.kubevirt.io%2Fname%3Dcentos-stopped");
        Assert.Empty(none.Body!["items"]!.AsArray());

        Assert.Equal(202, (await SendAsync(_http, HttpMethod.Put, sub + "/start", "{}")).Code);
        JsonObject? vmi = await WaitForAsync(_http, "virtualmachineinstances", "vms", "centos-stopped", v => Str(v, "status", "phase") == "Running");
        JsonObject pod = await LauncherPodOf("centos-stopped");
        Assert.Equal(Str(vmi, "status", "nodeName"), Str(pod, "spec", "nodeName"));
        Assert.Equal(Str(vmi, "status", "nodeName"), Str(vmi, "status", "activePods", Str(pod, "metadata", "uid")!));

        await using WatchRecorder podVersions = new(_http, "pods", "vms", Str(pod, "metadata", "name"));
        Assert.Equal(202, (await SendAsync(_http, HttpMethod.Put, sub + "/stop", "{}")).Code);
        await WaitForAsync(_http, "virtualmachineinstances", "vms", "centos-stopped", v => v == null);
        await WaitForAsync(_http, "pods", "vms", Str(pod, "metadata", "name")!, p => p == null);

        // virt-launcher exits once the domain is down: the pod is Succeeded (Completed) before the garbage collector takes it.
        Assert.Equal("DELETED", podVersions.Events[^1].Type);
        JsonObject last = podVersions.Events[^1].Object;
        Assert.Equal("Succeeded", Str(last, "status", "phase"));
        Assert.Equal("Completed", Str(last["status"]!["containerStatuses"]![0], "state", "terminated", "reason"));
        Assert.Equal("Ready=False/PodCompleted", Condition(last, "Ready"));
    }

    [Fact]
    public async Task Deleting_the_launcher_pod_fails_the_VMI_and_runStrategy_Always_starts_a_new_one()
    {
        JsonObject before = (await GetAsync(_http, "virtualmachineinstances", "vms", "db-nfs-data"))!;
        string pod = Str(await LauncherPodOf("db-nfs-data"), "metadata", "name")!;

        Assert.Equal(200, (await SendAsync(_http, HttpMethod.Delete, $"{Pods}/{pod}")).Code);

        JsonObject? after = await WaitForAsync(_http, "virtualmachineinstances", "vms", "db-nfs-data",
            v => v != null && Str(v, "metadata", "uid") != Str(before, "metadata", "uid") && Str(v, "status", "phase") == "Running");
        JsonObject replacement = await LauncherPodOf("db-nfs-data");
        Assert.NotEqual(pod, Str(replacement, "metadata", "name"));
        Assert.Equal(Str(after, "metadata", "uid"), Str(replacement, "metadata", "labels", "kubevirt.io/created-by"));
    }
}
