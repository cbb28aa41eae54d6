using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using VmSnapshot.Lab;
using Xunit;
using Xunit.Abstractions;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Lab;

/// <summary>
/// The measurement, not a timed test: 10,000 VirtualMachineSnapshots across 20 namespaces; the lab's
/// memory, `kubectl get vmsnapshots -A -o json` and a paged list (limit 500) through KubernetesClient.
/// Runs only with LAB_BENCH=1 (dotnet test --filter LabBenchmark with the variable set).
/// </summary>
public sealed class LabBenchmark(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task TenThousandSnapshots()
    {
        Skip.IfNot(Environment.GetEnvironmentVariable("LAB_BENCH") == "1", "set LAB_BENCH=1 to run the benchmark");
        using var lab = StartLab("empty", tls: true);
        var template = lab.Store.Get("vmsnapshot", "vms", "x"); // null: the empty scenario
        Assert.Null(template);
        GC.Collect();
        var before = GC.GetTotalMemory(true);
        var seed = Stopwatch.StartNew();
        for (var i = 0; i < 10_000; i++)
            lab.Store.Seed(new JsonObject
            {
                ["apiVersion"] = "snapshot.kubevirt.io/v1beta1", ["kind"] = "VirtualMachineSnapshot",
                ["metadata"] = new JsonObject { ["name"] = $"snap-{i:D5}", ["namespace"] = $"ns-{i % 20:D2}", ["labels"] = new JsonObject { ["app"] = "bench" } },
                ["spec"] = new JsonObject { ["source"] = new JsonObject { ["apiGroup"] = "kubevirt.io", ["kind"] = "VirtualMachine", ["name"] = $"vm-{i % 500}" } },
                ["status"] = new JsonObject
                {
                    ["phase"] = "Succeeded", ["readyToUse"] = true, ["creationTime"] = "2026-11-20T02:00:07Z",
                    ["sourceUID"] = Guid.NewGuid().ToString(), ["virtualMachineSnapshotContentName"] = $"vmsnapshot-content-{Guid.NewGuid()}",
                    ["indications"] = new JsonArray("GuestAgent", "Online"),
                    ["conditions"] = new JsonArray(
                        new JsonObject { ["type"] = "Progressing", ["status"] = "False", ["reason"] = "Operation complete", ["lastTransitionTime"] = "2026-11-20T02:00:08Z" },
                        new JsonObject { ["type"] = "Ready", ["status"] = "True", ["reason"] = "Ready", ["lastTransitionTime"] = "2026-11-20T02:00:12Z" }),
                    ["snapshotVolumes"] = new JsonObject { ["includedVolumes"] = new JsonArray("rootdisk", "datadisk") },
                },
            });
        seed.Stop();
        GC.Collect();
        var after = GC.GetTotalMemory(true);
        output.WriteLine($"seeded 10,000 in {seed.ElapsedMilliseconds} ms; managed heap +{(after - before) / 1024 / 1024} MiB");

        if (KubectlRunner.Available)
        {
            var kubectl = new KubectlRunner(lab);
            var sw = Stopwatch.StartNew();
            var r = await kubectl.RunAsync(TimeSpan.FromMinutes(2), null, "get", "vmsnapshots", "-A", "-o", "json");
            sw.Stop();
            Assert.Equal(0, r.ExitCode);
            Assert.Equal(10_000, JsonNode.Parse(r.Out)!["items"]!.AsArray().Count);
            output.WriteLine($"kubectl get vmsnapshots -A -o json: {sw.ElapsedMilliseconds} ms ({r.Out.Length / 1024} KiB)");
            sw.Restart();
            r = await kubectl.RunAsync(TimeSpan.FromMinutes(2), null, "get", "vmsnapshots", "-A");
            output.WriteLine($"kubectl get vmsnapshots -A (Table): {sw.ElapsedMilliseconds} ms, exit {r.ExitCode}");
        }

        using (var http = Http(lab))
        {
            var raw = Stopwatch.StartNew();
            var body = await http.GetByteArrayAsync("/apis/snapshot.kubevirt.io/v1beta1/virtualmachinesnapshots");
            raw.Stop();
            output.WriteLine($"raw HTTP list of all 10,000 (one request): {raw.ElapsedMilliseconds} ms, {body.Length / 1024} KiB");
            raw.Restart();
            var table = await http.GetByteArrayAsync("/apis/snapshot.kubevirt.io/v1beta1/virtualmachinesnapshots?limit=500");
            output.WriteLine($"raw HTTP first page (limit 500): {raw.ElapsedMilliseconds} ms, {table.Length / 1024} KiB");
        }

        using var client = Client(lab);
        var total = 0;
        string? cont = null;
        var requests = lab.RequestCount;
        var paged = Stopwatch.StartNew();
        do
        {
            var page = (JsonElement)await client.CustomObjects.ListClusterCustomObjectAsync("snapshot.kubevirt.io", "v1beta1", "virtualmachinesnapshots", continueParameter: cont, limit: 500);
            total += page.GetProperty("items").GetArrayLength();
            cont = page.GetProperty("metadata").TryGetProperty("continue", out var c) ? c.GetString() : null;
        } while (cont != null);
        paged.Stop();
        Assert.Equal(10_000, total);
        output.WriteLine($"KubernetesClient paged list (limit 500): {paged.ElapsedMilliseconds} ms in {lab.RequestCount - requests} requests");
        output.WriteLine($"process working set: {Environment.WorkingSet / 1024 / 1024} MiB");
    }
}
