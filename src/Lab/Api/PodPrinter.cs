using System.Text.Json.Nodes;
using VmSnapshot.Lab.Json;

namespace VmSnapshot.Lab.Api;

/// <summary>
/// core/v1 pods as a bare kube-apiserver 1.32 serves them: discovery (shortName po, category all, the connect
/// subresources pods/log, exec, attach and portforward) and the Table kubernetes pkg/printers/internalversion/
/// printers.go builds (AddHandlers' podColumnDefinitions, printPod). Nothing schedules or runs a pod the lab does not
/// make itself: the emulated virt-controller creates the virt-launcher pods (Controllers/LauncherPods.cs).
/// </summary>
internal static class PodPrinter
{
    private const string CreationTimestampDescription = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

    public static ResourceType Type { get; } = new()
    {
        Group = "", Versions = ["v1"], Kind = "Pod", Plural = "pods", Singular = "pod", ShortNames = ["po"], Categories = ["all"],
        IsCustomResource = false, HasGeneration = false, ReturnDeletedObject = true,
        Verbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
        // pkg/registry/core/pod/rest/subresources.go and log.go: what an apiserver proxies to the kubelet. binding,
        // eviction, proxy and ephemeralcontainers are not served (README, known approximations).
        ConnectSubresources = new Dictionary<string, string[]>
        {
            ["attach"] = ["create", "get"], ["exec"] = ["create", "get"], ["log"] = ["get"], ["portforward"] = ["create", "get"],
        },
        // PodToSelectableFields (pkg/registry/core/pod/strategy.go), those with a direct field behind them.
        ExtraFieldSelectors = new()
        {
            ["spec.nodeName"] = ".spec.nodeName", ["spec.restartPolicy"] = ".spec.restartPolicy", ["spec.schedulerName"] = ".spec.schedulerName",
            ["spec.serviceAccountName"] = ".spec.serviceAccountName", ["status.phase"] = ".status.phase", ["status.podIP"] = ".status.podIP",
            ["status.nominatedNodeName"] = ".status.nominatedNodeName",
        },
        Columns =
        [
            new PrinterColumn("Ready", "string", null, Description: "The aggregate readiness state of this pod for accepting traffic.") { Compute = Ready },
            new PrinterColumn("Status", "string", null, Description: "The aggregate status of the containers in this pod.") { Compute = Reason },
            new PrinterColumn("Restarts", "string", null, Description: "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.") { Compute = Restarts },
            new PrinterColumn("Age", "string", ".metadata.creationTimestamp", Description: CreationTimestampDescription) { Compute = o => Printing.HumanAge(JsonUtil.Str(o["metadata"]?["creationTimestamp"])) },
            new PrinterColumn("IP", "string", null, 1, "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.") { Compute = o => OrNone(o["status"]?["podIP"]) },
            new PrinterColumn("Node", "string", null, 1, "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename") { Compute = o => OrNone(o["spec"]?["nodeName"]) },
            new PrinterColumn("Nominated Node", "string", null, 1, "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.") { Compute = o => OrNone(o["status"]?["nominatedNodeName"]) },
            new PrinterColumn("Readiness Gates", "string", null, 1, "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to \"True\" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates") { Compute = ReadinessGates },
        ],
    };

    /// <summary>
    /// The part of ValidatePodCreate (kubernetes pkg/apis/core/validation/validation.go validateContainers) a pod
    /// cannot run without: at least one container, each with a name and an image. The rest of the spec is not checked.
    /// </summary>
    public static IEnumerable<Errors.Cause> ValidateContainers(JsonObject pod)
    {
        if (pod["spec"]?["containers"] is not JsonArray { Count: > 0 } containers)
        {
            yield return new Errors.Cause("FieldValueRequired", "spec.containers", "Required value");
            yield break;
        }
        for (int i = 0; i < containers.Count; i++)
        {
            if (string.IsNullOrEmpty(JsonUtil.Str(containers[i]?["name"]))) yield return new Errors.Cause("FieldValueRequired", $"spec.containers[{i}].name", "Required value");
            if (string.IsNullOrEmpty(JsonUtil.Str(containers[i]?["image"]))) yield return new Errors.Cause("FieldValueRequired", $"spec.containers[{i}].image", "Required value");
        }
    }

    /// <summary>
    /// qos.GetPodQOS (pkg/apis/core/helper/qos): BestEffort without any request or limit, Guaranteed when every
    /// container limits cpu and memory and requests (if any) equal the limits, else Burstable.
    /// </summary>
    public static string QosClass(JsonObject pod)
    {
        List<JsonObject> containers = [.. Items(pod["spec"]?["containers"]), .. Items(pod["spec"]?["initContainers"])];
        bool any = containers.Any(c => c["resources"]?["requests"] is JsonObject { Count: > 0 } || c["resources"]?["limits"] is JsonObject { Count: > 0 });
        if (!any) return "BestEffort";
        bool guaranteed = containers.All(c => c["resources"]?["limits"] is JsonObject limits && limits["cpu"] != null && limits["memory"] != null
            && (c["resources"]?["requests"] as JsonObject ?? []).All(r => JsonUtil.Str(limits[r.Key]) == JsonUtil.Str(r.Value)));
        return guaranteed ? "Guaranteed" : "Burstable";
    }

    private static string OrNone(JsonNode? value) => JsonUtil.Str(value) is { Length: > 0 } s ? s : "<none>";

    private static IEnumerable<JsonObject> Items(JsonNode? n) => (n as JsonArray ?? []).OfType<JsonObject>();

    /// <summary>Restartable init containers (sidecars, restartPolicy Always) count as containers, as printPod counts them.</summary>
    private static IEnumerable<JsonObject> Sidecars(JsonObject pod)
        => Items(pod["spec"]?["initContainers"]).Where(c => JsonUtil.Str(c["restartPolicy"]) == "Always");

    private static object Ready(JsonObject pod)
    {
        HashSet<string> sidecars = Sidecars(pod).Select(c => JsonUtil.Str(c["name"]) ?? "").ToHashSet(StringComparer.Ordinal);
        int total = Items(pod["spec"]?["containers"]).Count() + sidecars.Count;
        int ready = Items(pod["status"]?["containerStatuses"]).Count(s => s["ready"]?.GetValue<bool>() == true)
            + Items(pod["status"]?["initContainerStatuses"]).Count(s => sidecars.Contains(JsonUtil.Str(s["name"]) ?? "")
                && s["ready"]?.GetValue<bool>() == true && s["started"]?.GetValue<bool>() == true);
        return $"{ready}/{total}";
    }

    private static object Restarts(JsonObject pod)
        => (Items(pod["status"]?["containerStatuses"]).Concat(Items(pod["status"]?["initContainerStatuses"]))
            .Sum(s => s["restartCount"]?.GetValue<long>() ?? 0)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// printPod's STATUS for the states the lab's pods reach: the phase (or status.reason), a waiting or terminated
    /// container's reason, Completed/NotReady for terminated containers, Terminating while deletionTimestamp is set.
    /// Init-container progress (Init:0/1) does not occur: the lab's launcher pods start their sidecar at once.
    /// </summary>
    private static object Reason(JsonObject pod)
    {
        string reason = JsonUtil.Str(pod["status"]?["reason"]) ?? JsonUtil.Str(pod["status"]?["phase"]) ?? "";
        bool hasRunning = false;
        foreach (JsonObject s in Items(pod["status"]?["containerStatuses"]).Reverse())
        {
            JsonNode? state = s["state"];
            if (JsonUtil.Str(state?["waiting"]?["reason"]) is { Length: > 0 } waiting) reason = waiting;
            else if (state?["terminated"] is JsonObject t) reason = JsonUtil.Str(t["reason"]) ?? $"ExitCode:{t["exitCode"]}";
            else if (state?["running"] != null && s["ready"]?.GetValue<bool>() == true) hasRunning = true;
        }
        if (reason == "Completed" && hasRunning)
            reason = Items(pod["status"]?["conditions"]).Any(c => JsonUtil.Str(c["type"]) == "Ready" && JsonUtil.Str(c["status"]) == "True") ? "Running" : "NotReady";
        if (pod["metadata"]?["deletionTimestamp"] != null) reason = JsonUtil.Str(pod["status"]?["reason"]) == "NodeLost" ? "Unknown" : "Terminating";
        return reason;
    }

    private static object ReadinessGates(JsonObject pod)
    {
        List<string> gates = Items(pod["spec"]?["readinessGates"]).Select(g => JsonUtil.Str(g["conditionType"]) ?? "").ToList();
        if (gates.Count == 0) return "<none>";
        int passed = gates.Count(g => Items(pod["status"]?["conditions"]).Any(c => JsonUtil.Str(c["type"]) == g && JsonUtil.Str(c["status"]) == "True"));
        return $"{passed}/{gates.Count}";
    }
}
