using System.Text;
using System.Text.Json.Nodes;
using k8s;
using VmSnapshot.Lab;
using VmSnapshot.Tests.Lab;
using Xunit;

namespace VmSnapshot.Tests.Controllers;

/// <summary>
/// Labs with the emulated controllers running on a fast clock, plus helpers that observe them through HTTP only:
/// polling GETs and a watch recorder that keeps every version of an object a client would see.
/// </summary>
internal static class ControllerTestSupport
{
    /// <summary>Lab seconds per wall second in tests: a 5 s readyToUse delay takes 25 ms.</summary>
    public const double Speed = 200;

    public static LabServer StartControlledLab(string scenario = "default", double speed = Speed, bool tls = false)
        => LabServer.Start(new LabOptions
        {
            Scenario = scenario,
            UseTls = tls,
            ClockSpeed = speed,
        });

    /// <summary>Stops the lab and fails the test if any reconcile threw (the controllers retry silently otherwise).</summary>
    public static void DisposeAndCheck(LabServer lab)
    {
        IReadOnlyList<string> errors = lab.Controllers?.Errors ?? [];
        lab.Dispose();
        Assert.True(errors.Count == 0, "controller errors: " + string.Join(" | ", errors));
    }

    public static string ScenarioFile(string yaml)
    {
        string path = Path.Combine(Path.GetTempPath(), $"lab-scenario-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    public static string PathOf(string resource, string ns, string? name = null)
    {
        string prefix = resource switch
        {
            "virtualmachines" or "virtualmachineinstances" => "/apis/kubevirt.io/v1",
            "virtualmachinesnapshots" or "virtualmachinesnapshotcontents" or "virtualmachinerestores" => "/apis/snapshot.kubevirt.io/v1beta1",
            "virtualmachineclones" => "/apis/clone.kubevirt.io/v1beta1",
            "volumesnapshots" => "/apis/snapshot.storage.k8s.io/v1",
            "datavolumes" => "/apis/cdi.kubevirt.io/v1beta1",
            _ => "/api/v1",
        };
        return $"{prefix}/namespaces/{ns}/{resource}" + (name == null ? "" : "/" + name);
    }

    public static async Task<JsonObject?> GetAsync(HttpClient http, string resource, string ns, string name)
    {
        (int Code, JsonNode? Body) r = await LabTestSupport.GetAsync(http, PathOf(resource, ns, name));
        return r.Code == 200 ? r.Body!.AsObject() : null;
    }

    /// <summary>Polls (every 10 ms) until the condition holds; fails with the last seen object after the timeout.</summary>
    public static async Task<JsonObject?> WaitForAsync(HttpClient http, string resource, string ns, string name, Func<JsonObject?, bool> condition, double seconds = 10)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(seconds);
        JsonObject? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await GetAsync(http, resource, ns, name);
            if (condition(last)) return last;
            await Task.Delay(10);
        }
        Assert.Fail($"Timed out waiting for {resource} {ns}/{name}; last seen: {last?.ToJsonString()}");
        return null;
    }

    public static async Task<JsonObject> CreateAsync(HttpClient http, string resource, string ns, string json)
    {
        (int Code, JsonNode? Body) r = await LabTestSupport.SendAsync(http, HttpMethod.Post, PathOf(resource, ns), json);
        Assert.True(r.Code == 201, $"create {resource} failed: {r.Code} {r.Body?.ToJsonString()}");
        return r.Body!.AsObject();
    }

    public static string SnapshotJson(string name, string vm, string? failureDeadline = null, string? deletionPolicy = null)
    {
        JsonObject spec = new() { ["source"] = new JsonObject { ["apiGroup"] = "kubevirt.io", ["kind"] = "VirtualMachine", ["name"] = vm } };
        if (failureDeadline != null) spec["failureDeadline"] = failureDeadline;
        if (deletionPolicy != null) spec["deletionPolicy"] = deletionPolicy;
        return new JsonObject
        {
            ["apiVersion"] = "snapshot.kubevirt.io/v1beta1", ["kind"] = "VirtualMachineSnapshot",
            ["metadata"] = new JsonObject { ["name"] = name }, ["spec"] = spec,
        }.ToJsonString();
    }

    public static string? Str(JsonNode? n, params string[] path)
    {
        foreach (string p in path) n = n?[p];
        return n is JsonValue v && v.TryGetValue<string>(out string? s) ? s : null;
    }

    /// <summary>"Type=Status/Reason" for each condition, in order.</summary>
    public static string[] Conditions(JsonObject? o)
        => (o?["status"]?["conditions"] as JsonArray ?? []).Select(c => $"{Str(c, "type")}={Str(c, "status")}/{Str(c, "reason")}").ToArray();

    public static string? Condition(JsonObject? o, string type)
        => Conditions(o).FirstOrDefault(c => c.StartsWith(type + "=", StringComparison.Ordinal));

    public static string[] Strings(JsonNode? n) => (n as JsonArray ?? []).Select(x => x?.ToString() ?? "").ToArray();

    public static Kubernetes Client(LabServer lab) => LabTestSupport.Client(lab);
}

/// <summary>Records every version of the objects a watch delivers (one resource type, one namespace, optional name) through HTTP.</summary>
internal sealed class WatchRecorder : IAsyncDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _pump;
    private readonly List<(string Type, JsonObject Object)> _events = [];

    public WatchRecorder(HttpClient http, string resource, string ns, string? name = null)
    {
        // Watching from the list's resourceVersion replays everything after it, so no version is lost even if the
        // watch connects after the test's next request.
        string selector = name == null ? "" : "fieldSelector=metadata.name%3D" + name;
        (int Code, JsonNode? Body) list = Lab.LabTestSupport.GetAsync(http, ControllerTestSupport.PathOf(resource, ns) + "?" + selector).GetAwaiter().GetResult();
        string rv = (string)list.Body!["metadata"]!["resourceVersion"]!;
        foreach (JsonNode? item in list.Body!["items"]!.AsArray()) _events.Add(("ADDED", item!.DeepClone().AsObject()));
        string path = ControllerTestSupport.PathOf(resource, ns) + $"?watch=true&resourceVersion={rv}&" + selector;
        _pump = Task.Run(async () =>
        {
            using HttpRequestMessage req = new(HttpMethod.Get, path);
            using HttpResponseMessage resp = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, _cts.Token);
            using StreamReader reader = new(await resp.Content.ReadAsStreamAsync(_cts.Token), Encoding.UTF8);
            while (!_cts.IsCancellationRequested)
            {
                string? line = await reader.ReadLineAsync(_cts.Token);
                if (line == null) break;
                if (line.Length == 0) continue;
                JsonNode e = JsonNode.Parse(line)!;
                lock (_events) _events.Add(((string)e["type"]!, e["object"]!.AsObject()));
            }
        });
    }

    /// <summary>Everything received so far, after the stream has been quiet for 100 ms (it lags the GETs a test waits with).</summary>
    public IReadOnlyList<(string Type, JsonObject Object)> Events
    {
        get
        {
            DateTime deadline = DateTime.UtcNow.AddSeconds(3);
            int count = -1;
            while (DateTime.UtcNow < deadline)
            {
                int now;
                lock (_events) now = _events.Count;
                if (now == count) break;
                count = now;
                Thread.Sleep(100);
            }
            lock (_events) return _events.ToList();
        }
    }

    public IReadOnlyList<JsonObject> Versions => Events.Where(e => e.Type != "BOOKMARK").Select(e => e.Object).ToList();

    /// <summary>
    /// Every version received up to an event of <paramref name="type"/> (waiting up to 10 s for it): for a test that
    /// knows the stream's last event, where a quiet moment on a loaded machine is no proof that the stream is done.
    /// </summary>
    public IReadOnlyList<JsonObject> VersionsUntil(string type)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            lock (_events)
            {
                int end = _events.FindIndex(e => e.Type == type);
                if (end >= 0) return _events.Take(end + 1).Where(e => e.Type != "BOOKMARK").Select(e => e.Object).ToList();
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No {type} event in time.");
            Thread.Sleep(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _cts.Cancel();
        try { await _pump; } catch (OperationCanceledException) { } catch (HttpRequestException) { } catch (IOException) { }
        _cts.Dispose();
    }
}

/// <summary>Builds test VMs and their PVCs through HTTP.</summary>
internal static class TestVms
{
    /// <summary>Creates Bound-able PVCs (the binder binds them) and a VM using them; runStrategy Always unless told.</summary>
    public static async Task CreateAsync(HttpClient http, string name, string[] disks, string? guestAgent = null, string storageClass = "trident-svm", string runStrategy = "Always")
    {
        foreach (string disk in disks)
        {
            await ControllerTestSupport.CreateAsync(http, "persistentvolumeclaims", "vms", new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "PersistentVolumeClaim",
                ["metadata"] = new JsonObject { ["name"] = $"{name}-{disk}" },
                ["spec"] = new JsonObject
                {
                    ["accessModes"] = new JsonArray("ReadWriteOnce"), ["storageClassName"] = storageClass,
                    ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["storage"] = "10Gi" } },
                },
            }.ToJsonString());
        }

        JsonObject meta = new() { ["name"] = name, ["labels"] = new JsonObject { ["app"] = name } };
        if (guestAgent != null) meta["annotations"] = new JsonObject { ["lab.vmsnapshot.io/guest-agent"] = guestAgent };
        await ControllerTestSupport.CreateAsync(http, "virtualmachines", "vms", new JsonObject
        {
            ["apiVersion"] = "kubevirt.io/v1", ["kind"] = "VirtualMachine", ["metadata"] = meta,
            ["spec"] = new JsonObject
            {
                ["runStrategy"] = runStrategy,
                ["template"] = new JsonObject
                {
                    ["spec"] = new JsonObject
                    {
                        ["domain"] = new JsonObject
                        {
                            ["devices"] = new JsonObject
                            {
                                ["disks"] = new JsonArray(disks.Select(d => (JsonNode)new JsonObject { ["name"] = d, ["disk"] = new JsonObject { ["bus"] = "virtio" } }).ToArray()),
                                ["interfaces"] = new JsonArray(new JsonObject { ["name"] = "default", ["masquerade"] = new JsonObject(), ["macAddress"] = "02:00:00:00:00:01" }),
                            },
                        },
                        ["networks"] = new JsonArray(new JsonObject { ["name"] = "default", ["pod"] = new JsonObject() }),
                        ["volumes"] = new JsonArray(disks.Select(d => (JsonNode)new JsonObject { ["name"] = d, ["persistentVolumeClaim"] = new JsonObject { ["claimName"] = $"{name}-{d}" } }).ToArray()),
                    },
                },
            },
        }.ToJsonString());
        if (runStrategy == "Always")
            await ControllerTestSupport.WaitForAsync(http, "virtualmachineinstances", "vms", name, v => ControllerTestSupport.Str(v, "status", "phase") == "Running");
    }
}
