using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using VmSnapshot.Lab;
using Xunit;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Lab;

/// <summary>Watches through KubernetesClient: events, bookmarks, resume, 410 recovery, selectors, shutdown.</summary>
public sealed class ClientWatchTests : IDisposable
{
    private readonly LabServer _lab = StartLab(bookmarkInterval: TimeSpan.FromMilliseconds(200));
    private readonly Kubernetes _client;

    public ClientWatchTests() => _client = Client(_lab);

    public void Dispose()
    {
        _client.Dispose();
        _lab.Dispose();
    }

    private sealed record Seen(WatchEventType Type, string? Name, string? ResourceVersion);

    /// <summary>Runs a watch in the background, recording events until cancelled or the stream ends.</summary>
    private (Task Done, List<Seen> Events, List<Exception> Errors) Watch(string? resourceVersion, CancellationToken ct, string? labelSelector = null, bool bookmarks = false, int? timeoutSeconds = null)
    {
        List<Seen> events = new();
        List<Exception> errors = new();
        Task done = Task.Run(async () =>
        {
            try
            {
                await foreach ((WatchEventType type, object? obj) in _client.CustomObjects.WatchListNamespacedCustomObjectAsync("kubevirt.io", "v1", "vms", "virtualmachines",
                                   allowWatchBookmarks: bookmarks, labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds,
                                   onError: e => { lock (errors) errors.Add(e); }, cancellationToken: ct))
                {
                    JsonElement json = (JsonElement)obj;
                    JsonElement meta = json.GetProperty("metadata");
                    lock (events) events.Add(new Seen(type, meta.TryGetProperty("name", out JsonElement n) ? n.GetString() : null, meta.GetProperty("resourceVersion").GetString()));
                }
            }
            catch (OperationCanceledException) { }
        });
        return (done, events, errors);
    }

    private static async Task Until(Func<bool> condition, int ms = 10000)
    {
        DateTime deadline = DateTime.UtcNow.AddMilliseconds(ms);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met in time");
            await Task.Delay(20);
        }
    }

    private static List<Seen> Snapshot(List<Seen> events) { lock (events) return events.ToList(); }

    private async Task<string> ListRv()
    {
        JsonElement list = (JsonElement)await _client.CustomObjects.ListNamespacedCustomObjectAsync("kubevirt.io", "v1", "vms", "virtualmachines");
        return list.GetProperty("metadata").GetProperty("resourceVersion").GetString()!;
    }

    [Fact]
    public async Task WatchFromTheListResourceVersionSeesChangesInOrder()
    {
        string rv = await ListRv();
        using CancellationTokenSource cts = new();
        (Task? done, List<Seen>? events, List<Exception> _) = Watch(rv, cts.Token);
        await Task.Delay(100);
        _lab.Store.Seed(System.Text.Json.Nodes.JsonNode.Parse(VmJson("w1"))!.AsObject());
        _lab.Store.Update("vm", "vms", "w1", o => o["spec"]!["runStrategy"] = "Always");
        _lab.Store.Update("vm", "vms", "w1", o => o["spec"]!["runStrategy"] = "Always"); // no-op: no event
        _lab.Store.Delete("vm", "vms", "w1");
        await Until(() => Snapshot(events).Count >= 3);
        await Task.Delay(150);
        List<Seen> seen = Snapshot(events);
        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted], seen.Select(e => e.Type));
        Assert.All(seen, e => Assert.Equal("w1", e.Name));
        List<long> rvs = seen.Select(e => long.Parse(e.ResourceVersion!)).ToList();
        Assert.Equal(rvs.OrderBy(x => x), rvs);
        Assert.Equal(_lab.Store.ResourceVersion, rvs[^1]); // DELETED carries the deletion's resourceVersion
        cts.Cancel();
        await done;
    }

    [Fact]
    public async Task WatchFromZeroStartsWithTheCurrentObjects()
    {
        using CancellationTokenSource cts = new();
        (Task? done, List<Seen>? events, List<Exception> _) = Watch("0", cts.Token);
        await Until(() => Snapshot(events).Count >= 6);
        Assert.All(Snapshot(events), e => Assert.Equal(WatchEventType.Added, e.Type));
        Assert.Contains(Snapshot(events), e => e.Name == "win2k19-profound-gecko");
        cts.Cancel();
        await done;
    }

    [Fact]
    public async Task ResumingFromABookmarkMissesNothing()
    {
        string rv = await ListRv();
        using (CancellationTokenSource first = new())
        {
            (Task? done, List<Seen>? events, List<Exception> _) = Watch(rv, first.Token, bookmarks: true);
            await Until(() => Snapshot(events).Any(e => e.Type == WatchEventType.Bookmark));
            first.Cancel();
            await done;
            rv = Snapshot(events).Last(e => e.Type == WatchEventType.Bookmark).ResourceVersion!;
        }
        // Changes made while nobody watches...
        _lab.Store.Update("vm", "vms", "centos-stopped", o => o["spec"]!["runStrategy"] = "Always");
        using CancellationTokenSource second = new();
        (Task? done2, List<Seen>? events2, List<Exception> _) = Watch(rv, second.Token, bookmarks: true);
        // ...arrive when the watch resumes from the bookmark.
        await Until(() => Snapshot(events2).Any(e => e.Type == WatchEventType.Modified));
        Assert.Equal("centos-stopped", Snapshot(events2).First(e => e.Type == WatchEventType.Modified).Name);
        second.Cancel();
        await done2;
    }

    [Fact]
    public async Task ATooOldResourceVersionGivesA410ErrorEventAndARelistRecovers()
    {
        string oldRv = await ListRv();
        _lab.Store.Update("vm", "vms", "centos-stopped", o => o["metadata"]!["labels"]!["touched"] = "1");
        _lab.Store.CompactWatchHistory();
        using CancellationTokenSource cts = new(TimeSpan.FromSeconds(10));
        (Task? done, List<Seen>? events, List<Exception>? errors) = Watch(oldRv, cts.Token);
        await done; // the server ends the stream after the ERROR event
        Assert.Empty(Snapshot(events));
        KubernetesException error = Assert.IsType<KubernetesException>(Assert.Single(errors));
        Assert.Equal(410, error.Status.Code);
        Assert.Equal("Expired", error.Status.Reason);
        Assert.Equal($"too old resource version: {oldRv} ({_lab.Store.ResourceVersion + 1})", error.Status.Message);

        // Recovery: list again and watch from the new resourceVersion.
        string freshRv = await ListRv();
        using CancellationTokenSource cts2 = new();
        (Task? done2, List<Seen>? events2, List<Exception>? errors2) = Watch(freshRv, cts2.Token);
        await Task.Delay(100);
        _lab.Store.Update("vm", "vms", "centos-stopped", o => o["metadata"]!["labels"]!["touched"] = "2");
        await Until(() => Snapshot(events2).Count == 1);
        Assert.Empty(errors2);
        cts2.Cancel();
        await done2;
    }

    [Fact]
    public async Task AnObjectLeavingTheSelectorIsDeletedForThatWatcher()
    {
        string rv = await ListRv();
        using CancellationTokenSource cts = new();
        (Task? done, List<Seen>? events, List<Exception> _) = Watch(rv, cts.Token, labelSelector: "app=fedora-no-agent");
        await Task.Delay(100);
        _lab.Store.Update("vm", "vms", "fedora-no-agent", o => o["metadata"]!["labels"]!["app"] = "renamed");
        _lab.Store.Update("vm", "vms", "rhel8-brainy-bear", o => o["metadata"]!["labels"]!["x"] = "y"); // not selected: nothing
        _lab.Store.Update("vm", "vms", "fedora-no-agent", o => o["metadata"]!["labels"]!["app"] = "fedora-no-agent");
        await Until(() => Snapshot(events).Count >= 2);
        await Task.Delay(150);
        Assert.Equal([WatchEventType.Deleted, WatchEventType.Added], Snapshot(events).Select(e => e.Type));
        cts.Cancel();
        await done;
    }

    [Fact]
    public async Task TimeoutSecondsEndsTheStream()
    {
        DateTime started = DateTime.UtcNow;
        (Task? done, List<Seen> _, List<Exception>? errors) = Watch(await ListRv(), CancellationToken.None, timeoutSeconds: 1);
        Assert.True(await Task.WhenAny(done, Task.Delay(5000)) == done, "the watch did not end");
        Assert.InRange((DateTime.UtcNow - started).TotalSeconds, 0.9, 4);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task StopEndsOpenWatchesPromptly()
    {
        (Task? done, List<Seen> _, List<Exception> _) = Watch(await ListRv(), CancellationToken.None);
        await Task.Delay(200);
        DateTime stopping = DateTime.UtcNow;
        _lab.Stop();
        bool finished = await Task.WhenAny(done, Task.Delay(3000)) == done;
        Assert.True(finished, "watch still open after Stop");
        Assert.True(DateTime.UtcNow - stopping < TimeSpan.FromSeconds(2.5));
        _lab.Stop(); // idempotent
    }
}

/// <summary>Concurrent writers and a watcher: every change arrives once, in resourceVersion order.</summary>
public sealed class WatchConsistencyTests
{
    [Fact]
    public async Task ConcurrentWritesReachTheWatcherInOrderWithoutGaps()
    {
        using LabServer lab = StartLab("empty");
        using HttpClient http = Http(lab);
        for (int i = 0; i < 4; i++)
            lab.Store.Seed(System.Text.Json.Nodes.JsonNode.Parse(VmJson($"w{i}", "default"))!.AsObject());
        long listRv = lab.Store.ResourceVersion;

        using HttpRequestMessage req = new(HttpMethod.Get, $"/apis/kubevirt.io/v1/namespaces/default/virtualmachines?watch=1&resourceVersion={listRv}");
        List<Task> writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (int n = 1; n <= 100; n++)
            {
                string patch = $"{{\"metadata\":{{\"labels\":{{\"n\":\"{n}\"}}}}}}";
                (int Code, JsonNode? Body) r = await SendAsync(http, HttpMethod.Patch, $"/apis/kubevirt.io/v1/namespaces/default/virtualmachines/w{w}", patch, "application/merge-patch+json");
                Assert.Equal(200, r.Code);
            }
        })).ToList();
        using HttpResponseMessage resp = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead);
        using StreamReader reader = new(await resp.Content.ReadAsStreamAsync());
        List<long> rvs = new();
        Dictionary<string, string> last = new();
        while (rvs.Count < 400)
        {
            string? line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
            JsonNode e = System.Text.Json.Nodes.JsonNode.Parse(line!)!;
            Assert.Equal("MODIFIED", (string?)e["type"]);
            rvs.Add(long.Parse((string)e["object"]!["metadata"]!["resourceVersion"]!));
            last[(string)e["object"]!["metadata"]!["name"]!] = (string)e["object"]!["metadata"]!["labels"]!["n"]!;
        }
        await Task.WhenAll(writers);
        Assert.Equal(Enumerable.Range(1, 400).Select(i => listRv + i), rvs); // no gaps, no reordering
        Assert.All(last.Values, v => Assert.Equal("100", v));
    }
}
