using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;
using VmSnapshot.Core.Snapshots;
using VmSnapshot.Core.Watching;
using VmSnapshot.Lab;
using Xunit;
using Xunit.Abstractions;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Core;

/// <summary>
/// Fifty snapshots waited for through one namespace watch, while a load balancer cuts the stream four times a second
/// and the watch history is compacted each time: every resume is answered 410 and must relist. A relist used to make
/// each waiter re-read its own snapshot (51 requests); one list now answers them all.
/// </summary>
public sealed class WatchRelistTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Repeated_410s_relist_with_backoff_instead_of_hammering_the_server()
    {
        using LabServer lab = StartLab("empty"); // no controllers: the snapshots stay in progress, the waits go on
        for (int i = 0; i < 50; i++)
        {
            lab.Store.Seed(new JsonObject
            {
                ["apiVersion"] = "snapshot.kubevirt.io/v1beta1",
                ["kind"] = "VirtualMachineSnapshot",
                ["metadata"] = new JsonObject { ["name"] = $"snap-{i}", ["namespace"] = "vms" },
                ["spec"] = new JsonObject { ["source"] = new JsonObject { ["apiGroup"] = "kubevirt.io", ["kind"] = "VirtualMachine", ["name"] = "vm" } },
                ["status"] = new JsonObject { ["phase"] = "InProgress", ["readyToUse"] = false },
            });
        }

        KubeVirtConnection connection = ConnectionFactory.FromKubeconfig([lab.KubeconfigPath], null, null);
        await using WatchSet watches = new(connection);
        NamespaceWatch watch = await watches.ForAsync(ResourceType.VirtualMachineSnapshot, "vms", CancellationToken.None);
        using CancellationTokenSource done = new(TimeSpan.FromSeconds(5));
        List<Task> waits = [];
        for (int i = 0; i < 50; i++)
        {
            ChannelReader<WatchEvent> events = watch.Subscribe($"snap-{i}");
            JsonElement initial = JsonDocument.Parse(lab.Store.Get("virtualmachinesnapshots", "vms", $"snap-{i}")!.ToJsonString()).RootElement;
            waits.Add(SnapshotWaiter.WaitAsync(events, initial, (_, _) => { }, done.Token));
        }

        long before = lab.RequestCount;
        Task compaction = Task.Run(async () =>
        {
            for (long n = 0; !done.IsCancellationRequested; n++)
            {
                // A load balancer cuts the stream; while the client reconnects a change happens and the history is
                // compacted past it, so the resume is answered 410 Expired.
                lab.Store.CloseWatches();
                lab.Store.Update("virtualmachinesnapshots", "vms", "snap-0", o => o["metadata"]!["labels"] = new JsonObject { ["n"] = n.ToString() });
                lab.Store.CompactWatchHistory();
                await Task.Delay(250);
            }
        });
        await Task.WhenAll(waits.Select(w => w.ContinueWith(_ => { })));
        await compaction;
        long requests = lab.RequestCount - before;

        output.WriteLine($"{requests} requests in 5 s for 50 waits");
        // About 20 cuts, each answered 410 on resume. A relist is one list for all 50 waiters (not a re-read each), and
        // repeated relists back off.
        Assert.InRange(requests, 1, 60); // measured: 9 now, 162 before
    }
}
