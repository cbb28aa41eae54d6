using System.Text.Json.Nodes;
using VmSnapshot.Lab.Api;
using VmSnapshot.Lab.GuestAgent;

namespace VmSnapshot.Lab.Controllers;

/// <summary>
/// The virt-launcher pod virt-controller creates for each VMI (kubevirt pkg/virt-controller/services/template.go
/// renderLaunchManifest, podLabels, generatePodAnnotations) and the status the scheduler and kubelet give it once it
/// runs. Kept to what scripts read (name, labels, annotations, owner, node, phase, conditions, IPs, container states):
/// the scale scenario holds one per running VM, so volumes, resources, security contexts and probes are left out.
/// </summary>
internal static class LauncherPods
{
    public const string CreatedByLabel = "kubevirt.io/created-by";
    public const string ByVmiIndex = "launcher-pods-by-vmi-uid";
    private const string UnpausedGate = "kubevirt.io/virtual-machine-unpaused";

    /// <summary>The pod template.go renders for a VMI (not yet scheduled: no node, status as PrepareForCreate leaves it).</summary>
    public static JsonObject Render(JsonObject vmi, string image)
    {
        string vmiName = Obj.Name(vmi);
        // podLabels: the VMI's labels, then KubeVirt's own. kubevirt.io/nodeName is not among them: the VMI gets it
        // only once scheduled, after its pod was made.
        JsonObject labels = new();
        foreach ((string key, JsonNode? value) in vmi["metadata"]?["labels"] as JsonObject ?? [])
            if (key != "kubevirt.io/nodeName") labels[key] = value?.DeepClone();
        labels["kubevirt.io"] = "virt-launcher";
        labels[CreatedByLabel] = Obj.Uid(vmi);
        labels["vm.kubevirt.io/name"] = HostName(vmi);
        labels["vmi.kubevirt.io/id"] = VmiId(vmiName);

        // generatePodAnnotations: kubevirt.io/domain, the VMI's annotations but kubectl's and the observed API versions,
        // the default container for kubectl logs/exec, the migration transport and the descheduler's evict-only mark.
        JsonObject annotations = new() { ["kubevirt.io/domain"] = vmiName };
        foreach ((string key, JsonNode? value) in vmi["metadata"]?["annotations"] as JsonObject ?? [])
        {
            if (key.StartsWith("kubectl.kubernetes.io", StringComparison.Ordinal) || key.StartsWith("kubevirt.io/storage-observed-api-version", StringComparison.Ordinal)
                || key.StartsWith("kubevirt.io/latest-observed-api-version", StringComparison.Ordinal))
            {
                continue;
            }

            annotations[key] = value?.DeepClone();
        }
        annotations["kubectl.kubernetes.io/default-container"] = "compute";
        annotations["kubevirt.io/migrationTransportUnix"] = "true";
        annotations["descheduler.alpha.kubernetes.io/request-evict-only"] = "";

        JsonObject ownerRef = Obj.OwnerRef(vmi);
        ownerRef["apiVersion"] = "kubevirt.io/v1";
        ownerRef["kind"] = "VirtualMachineInstance";
        JsonObject spec = new()
        {
            ["containers"] = new JsonArray(new JsonObject { ["name"] = "compute", ["image"] = image, ["command"] = new JsonArray("/usr/bin/virt-launcher-monitor") }),
            ["hostname"] = HostName(vmi),
            ["restartPolicy"] = "Never",
            ["terminationGracePeriodSeconds"] = GracePeriod(vmi) + 30, // gracePeriodKillAfter: two 15 s paddings
            ["readinessGates"] = new JsonArray(new JsonObject { ["conditionType"] = UnpausedGate }),
            ["automountServiceAccountToken"] = false,
            ["enableServiceLinks"] = false,
            ["dnsPolicy"] = "ClusterFirst",
            ["schedulerName"] = "default-scheduler",
            ["serviceAccountName"] = "default",
        };
        // serialconsolelog.go: guest-console-log, a sidecar (restartable init container), unless the serial console
        // is not auto-attached or its logging is off (the cluster-wide default leaves it on).
        JsonNode? devices = vmi["spec"]?["domain"]?["devices"];
        bool consoleLog = Obj.Bool(devices?["autoattachSerialConsole"]) != false && Obj.Bool(devices?["logSerialConsole"]) != false;
        if (consoleLog)
        {
            spec["initContainers"] = new JsonArray(new JsonObject
            {
                ["name"] = "guest-console-log", ["image"] = image, ["command"] = new JsonArray("/usr/bin/virt-tail"), ["restartPolicy"] = "Always",
            });
        }
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"virt-launcher-{vmiName}-{ApiHandler.RandomSuffix()}",
                ["generateName"] = $"virt-launcher-{vmiName}-",
                ["namespace"] = Obj.Namespace(vmi),
                ["labels"] = labels,
                ["annotations"] = annotations,
                ["ownerReferences"] = new JsonArray(ownerRef),
            },
            ["spec"] = spec,
            ["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = "Burstable" },
        };
    }

    /// <summary>
    /// The scheduler binds the pod to the VMI's node and the kubelet runs it: phase Running, the node's and the pod's
    /// addresses, the containers' states, and the conditions kubelet computes (pkg/kubelet/status/generate.go): Ready
    /// needs compute ready (a guest failing its readiness probe is not) and the readiness gate virt-controller keeps at
    /// the VMI's pause state. Idempotent: an unchanged VMI leaves the pod as it was (transition times included).
    /// </summary>
    public static void Run(JsonObject pod, JsonObject vmi, string node)
    {
        pod["spec"]!["nodeName"] = node;
        JsonObject status = Obj.Status(pod);
        string now = Obj.Timestamp();
        string hostIp = NodeAddress(node);
        string podIp = PodAddress(vmi);
        status["phase"] = "Running";
        status["hostIP"] = hostIp;
        status["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = hostIp });
        status["podIP"] = podIp;
        status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = podIp });
        status["startTime"] ??= now;

        bool computeReady = !GuestHealth.IsNotReady(vmi);
        bool unpaused = !Obj.HasCondition(vmi, "Paused", "True");
        // virt-controller's syncPausedConditionToPod (watch/vmi/lifecycle.go) keeps the readiness gate at the pause state.
        Obj.SetCondition(status, UnpausedGate, unpaused ? "True" : "False", unpaused ? "NotPaused" : "Paused",
            unpaused ? "the virtual machine is not paused" : "the virtual machine is paused");
        Obj.SetCondition(status, "PodReadyToStartContainers", "True", "");
        Obj.SetCondition(status, "Initialized", "True", "");
        if (!computeReady)
            Obj.SetCondition(status, "Ready", "False", "ContainersNotReady", "containers with unready status: [compute]");
        else if (!unpaused)
            Obj.SetCondition(status, "Ready", "False", "ReadinessGatesNotReady", $"the status of pod readiness gate \"{UnpausedGate}\" is not \"True\", but False");
        else
            Obj.SetCondition(status, "Ready", "True", "");
        Obj.SetCondition(status, "ContainersReady", computeReady ? "True" : "False", computeReady ? "" : "ContainersNotReady", computeReady ? null : "containers with unready status: [compute]");
        Obj.SetCondition(status, "PodScheduled", "True", "");

        status["containerStatuses"] = new JsonArray(ContainerStatus(status["containerStatuses"], pod, "compute", computeReady, now));
        if (pod["spec"]?["initContainers"] is JsonArray { Count: > 0 })
            status["initContainerStatuses"] = new JsonArray(ContainerStatus(status["initContainerStatuses"], pod, "guest-console-log", true, now));
    }

    /// <summary>
    /// virt-launcher exited after the domain shut down: phase Succeeded, every container terminated with exit code 0
    /// (Completed), Ready and ContainersReady False with reason PodCompleted, as the kubelet reports a finished pod.
    /// </summary>
    public static void Complete(JsonObject pod)
    {
        JsonObject status = Obj.Status(pod);
        if (Obj.Str(status, "phase") == "Succeeded") return;
        string now = Obj.Timestamp();
        status["phase"] = "Succeeded";
        Obj.SetCondition(status, "PodReadyToStartContainers", "False", "");
        Obj.SetCondition(status, "Ready", "False", "PodCompleted");
        Obj.SetCondition(status, "ContainersReady", "False", "PodCompleted");
        foreach (string list in new[] { "containerStatuses", "initContainerStatuses" })
        {
            foreach (JsonObject container in Obj.Items(status[list]))
            {
                string startedAt = Obj.Str(container, "state", "running", "startedAt") ?? now;
                container["ready"] = false;
                container["started"] = false;
                container["state"] = new JsonObject
                {
                    ["terminated"] = new JsonObject { ["exitCode"] = 0, ["reason"] = "Completed", ["startedAt"] = startedAt, ["finishedAt"] = now },
                };
            }
        }
    }

    private static JsonObject ContainerStatus(JsonNode? existing, JsonObject pod, string name, bool ready, string now)
    {
        string startedAt = Obj.Str(Obj.Items(existing).FirstOrDefault(s => Obj.Str(s, "name") == name), "state", "running", "startedAt") ?? now;
        return new JsonObject
        {
            ["name"] = name,
            ["image"] = Obj.Str(Obj.Items(pod["spec"]?["containers"]).FirstOrDefault(), "image"),
            ["ready"] = ready,
            ["restartCount"] = 0,
            ["started"] = true,
            ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = startedAt } },
        };
    }

    /// <summary>dns.SanitizeHostname: spec.hostname, else the VMI's name, at most 63 characters.</summary>
    private static string HostName(JsonObject vmi)
    {
        string name = Obj.Str(vmi, "spec", "hostname") is { Length: > 0 } h ? h : Obj.Name(vmi);
        return name.Length > 63 ? name[..63] : name;
    }

    /// <summary>apimachinery.CalculateVirtualMachineInstanceID (pkg/apimachinery/labels.go).</summary>
    private static string VmiId(string name)
    {
        if (name.Length <= 63) return name;
        string hash = Convert.ToHexString(System.Security.Cryptography.SHA1.HashData(System.Text.Encoding.UTF8.GetBytes(name))).ToLowerInvariant();
        return $"{name[..54]}-{hash[..8]}";
    }

    /// <summary>gracePeriodInSeconds: spec.terminationGracePeriodSeconds, KubeVirt's default 180.</summary>
    private static long GracePeriod(JsonObject vmi) => vmi["spec"]?["terminationGracePeriodSeconds"]?.GetValue<long>() ?? 180;

    /// <summary>
    /// A node's InternalIP: worker-N gets 192.168.10.(10+N), other names a stable address from their characters.
    /// pods/log and exec name it in their kubelet errors.
    /// </summary>
    public static string NodeAddress(string node)
    {
        System.Text.RegularExpressions.Match m = System.Text.RegularExpressions.Regex.Match(node, @"^worker-(\d{1,3})\b");
        int host = m.Success ? 10 + int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) % 200 : 100 + node.Sum(c => c) % 100;
        return $"192.168.10.{host}";
    }

    /// <summary>The pod network address: with masquerade binding the VMI reports it as its interface address.</summary>
    private static string PodAddress(JsonObject vmi)
        => Obj.Str(Obj.Items(vmi["status"]?["interfaces"]).FirstOrDefault(), "ipAddress") is { Length: > 0 } ip ? ip
            : $"10.128.3.{10 + Math.Abs(Obj.Uid(vmi).GetHashCode()) % 200}"; // what the VMI controller will report
}
