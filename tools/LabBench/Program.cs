// Seeds 10,000 VirtualMachineSnapshots across 20 namespaces into a TLS lab, then reports the lab's memory, the
// wall time of `kubectl get vmsnapshots -A -o json`, a raw HTTP list and a paged list (limit 500) through
// KubernetesClient. Figures are printed for comparison within one run; nothing is asserted.
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using VmSnapshot.Lab;

const int Snapshots = 10_000;
const int Namespaces = 20;

string kubeconfig = Path.Combine(Path.GetTempPath(), $"labbench-{Environment.ProcessId}.kubeconfig");
using LabServer lab = LabServer.Start(new LabOptions { Scenario = "empty", UseTls = true, KubeconfigPath = kubeconfig, RunControllers = false });
try
{
    GC.Collect();
    long before = GC.GetTotalMemory(true);
    Stopwatch seed = Stopwatch.StartNew();
    for (int i = 0; i < Snapshots; i++)
    {
        lab.Store.Seed(Snapshot(i));
    }

    seed.Stop();
    GC.Collect();
    long after = GC.GetTotalMemory(true);
    Console.WriteLine($"Seeded {Snapshots:N0} snapshots in {Namespaces} namespaces in {seed.ElapsedMilliseconds} ms; managed heap +{(after - before) / 1024 / 1024} MiB");

    string? kubectl = FindKubectl();
    if (kubectl is not null)
    {
        string cache = Directory.CreateTempSubdirectory("labbench-kubectl-").FullName;
        RunKubectl(kubectl, kubeconfig, cache); // warm the discovery cache, as a user's second command would be
        Stopwatch sw = Stopwatch.StartNew();
        int items = RunKubectl(kubectl, kubeconfig, cache);
        Console.WriteLine($"kubectl get vmsnapshots -A -o json: {sw.ElapsedMilliseconds} ms ({items:N0} items)");
        Directory.Delete(cache, recursive: true);
    }
    else
    {
        Console.WriteLine("kubectl is not installed: skipped its measurement.");
    }

    using Kubernetes client = new(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
    long requests = lab.RequestCount;
    Stopwatch paged = Stopwatch.StartNew();
    int total = 0;
    string? next = null;
    do
    {
        JsonElement page = (JsonElement)await client.CustomObjects.ListClusterCustomObjectAsync("snapshot.kubevirt.io",
            "v1beta1", "virtualmachinesnapshots", continueParameter: next, limit: 500);
        total += page.GetProperty("items").GetArrayLength();
        next = page.GetProperty("metadata").TryGetProperty("continue", out JsonElement token) ? token.GetString() : null;
    }
    while (!string.IsNullOrEmpty(next));
    Console.WriteLine($"KubernetesClient paged list (limit 500): {paged.ElapsedMilliseconds} ms, {total:N0} items in {lab.RequestCount - requests} requests");
    Console.WriteLine($"Process working set: {Environment.WorkingSet / 1024 / 1024} MiB");
}
finally
{
    File.Delete(kubeconfig);
}

static JsonObject Snapshot(int i) => new()
{
    ["apiVersion"] = "snapshot.kubevirt.io/v1beta1",
    ["kind"] = "VirtualMachineSnapshot",
    ["metadata"] = new JsonObject { ["name"] = $"snap-{i:D5}", ["namespace"] = $"ns-{i % Namespaces:D2}" },
    ["spec"] = new JsonObject { ["source"] = new JsonObject { ["apiGroup"] = "kubevirt.io", ["kind"] = "VirtualMachine", ["name"] = $"vm-{i % 500}" } },
    ["status"] = new JsonObject
    {
        ["phase"] = "Succeeded",
        ["readyToUse"] = true,
        ["creationTime"] = "2026-11-20T02:00:07Z",
        ["indications"] = new JsonArray("GuestAgent", "Online"),
        ["snapshotVolumes"] = new JsonObject { ["includedVolumes"] = new JsonArray("rootdisk", "datadisk") },
    },
};

static string? FindKubectl() =>
    (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
        .Select(dir => Path.Combine(dir, OperatingSystem.IsWindows() ? "kubectl.exe" : "kubectl"))
        .FirstOrDefault(File.Exists);

static int RunKubectl(string kubectl, string kubeconfig, string cache)
{
    ProcessStartInfo start = new(kubectl)
    {
        ArgumentList = { "--kubeconfig", kubeconfig, "--cache-dir", cache, "get", "vmsnapshots", "-A", "-o", "json" },
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    };
    using Process process = Process.Start(start)!;
    string output = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    return process.ExitCode == 0 ? JsonNode.Parse(output)!["items"]!.AsArray().Count : -1;
}
