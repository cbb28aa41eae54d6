using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;
using VmSnapshot.Core.Json;
using VmSnapshot.Core.Snapshots;
using VmSnapshot.Core.Watching;
using VmSnapshot.Lab;
using VmSnapshot.Lab.Faults;
using Xunit;
using static VmSnapshot.Tests.Lab.LabTestSupport;

namespace VmSnapshot.Tests.Core;

/// <summary>
/// The engine against a lab that misbehaves (fault rules): creates happen exactly once when their answer is lost,
/// throttling is waited out as the server asks, deletes that lost their answer are done, lists cut mid-body return
/// every object once, waits see changes across dropped and expired watches, and a final failure says what was tried.
/// </summary>
public sealed class ApiRetryLabTests : IDisposable
{
    private readonly LabServer _lab = StartLab();

    public void Dispose() => _lab.Dispose();

    private KubeVirtConnection Connect() => ConnectionFactory.FromKubeconfig([_lab.KubeconfigPath], null, null);

    private void Faults(params string[] rulesJson) =>
        _lab.Faults.Set(rulesJson.Select((r, i) => FaultRule.Parse(JsonNode.Parse(r), $"rule {i}")), seed: 1);

    private static SnapshotRequest Request(string name) =>
        new(name, "vms", "rhel8-brainy-bear", null, null, null, new Dictionary<string, string>(), "tester");

    private List<JsonObject> SnapshotsNamed(string name) => _lab.Store.List("virtualmachinesnapshots", "vms")
        .Where(o => (string?)o["metadata"]?["name"] == name).ToList();

    [Fact]
    public async Task A_create_whose_answer_is_lost_makes_exactly_one_object_and_reports_it_created()
    {
        Faults("""{"fault":"lostResponse","verbs":["create"],"resources":["virtualmachinesnapshots"],"sequence":[1]}""");

        JsonElement created = await SnapshotWriter.CreateAsync(Connect(), Request("lost-answer"), CancellationToken.None);

        Assert.Equal("lost-answer", created.Child("metadata").String("name"));
        Assert.Equal(1, _lab.Faults.Status[0].Injected);
        JsonObject stored = Assert.Single(SnapshotsNamed("lost-answer"));
        Assert.Equal(created.Child("metadata").Child("annotations").String(CustomResources.RequestIdAnnotation),
            (string?)stored["metadata"]?["annotations"]?[CustomResources.RequestIdAnnotation]);
    }

    [Fact]
    public async Task A_create_that_meets_someone_elses_object_of_the_same_name_is_refused_not_adopted()
    {
        await SnapshotWriter.CreateAsync(Connect(), Request("taken"), CancellationToken.None);
        Faults("""{"fault":"lostResponse","verbs":["create"],"resources":["virtualmachinesnapshots"],"sequence":[1]}""");

        // The second create's POST is lost on the way back; its retry finds 'taken', but with another request id.
        KubeApiException e = await Assert.ThrowsAsync<KubeApiException>(() =>
            SnapshotWriter.CreateAsync(Connect(), Request("taken"), CancellationToken.None));

        Assert.Equal(ApiErrorKind.AlreadyExists, e.Kind);
        Assert.Single(SnapshotsNamed("taken"));
    }

    [Fact]
    public async Task Throttling_is_waited_out_as_long_as_the_server_asks()
    {
        Faults("""{"fault":"throttle","verbs":["list"],"resources":["virtualmachinesnapshots"],"sequence":[1,2],"retryAfter":1}""");
        KubeVirtConnection connection = Connect();
        Stopwatch clock = Stopwatch.StartNew();

        List<string> names = new();
        await foreach (KubeVirtVMSnapshot s in SnapshotReader.ListAsync(connection, "vms"))
        {
            names.Add(s.Name);
        }

        Assert.Equal(2, _lab.Faults.Status[0].Injected);
        Assert.NotEmpty(names);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.9), $"two Retry-After: 1 answers were waited out ({clock.Elapsed})");
    }

    [Fact]
    public async Task A_list_cut_off_mid_page_returns_every_object_exactly_once()
    {
        KubeVirtConnection connection = Connect();
        List<string> expected = new();
        await foreach (KubeVirtVMSnapshot s in SnapshotReader.ListAsync(connection, "vms", pageSize: 2))
        {
            expected.Add(s.Name);
        }

        Faults("""{"fault":"truncate","verbs":["list"],"sequence":[2,3],"keepBytes":40}""");
        List<string> names = new();
        await foreach (KubeVirtVMSnapshot s in SnapshotReader.ListAsync(connection, "vms", pageSize: 2))
        {
            names.Add(s.Name);
        }

        Assert.Equal(2, _lab.Faults.Status[0].Injected);
        Assert.True(expected.Count >= 3, "several pages are needed for the cut to fall mid-list");
        Assert.Equal(expected, names);
    }

    [Fact]
    public async Task A_delete_whose_answer_is_lost_is_done()
    {
        await SnapshotWriter.CreateAsync(Connect(), Request("to-delete"), CancellationToken.None);
        Faults("""{"fault":"lostResponse","verbs":["delete"],"sequence":[1]}""");

        await SnapshotWriter.DeleteAsync(Connect(), "vms", "to-delete", CancellationToken.None);

        Assert.Equal(1, _lab.Faults.Status[0].Injected);
        Assert.Empty(SnapshotsNamed("to-delete"));
    }

    [Fact]
    public async Task A_server_that_stays_unavailable_fails_with_what_was_tried()
    {
        Faults("""{"fault":"unavailable","verbs":["list"],"resources":["virtualmachinesnapshots"]}""");

        KubeApiException e = await Assert.ThrowsAsync<KubeApiException>(async () =>
        {
            await foreach (KubeVirtVMSnapshot _ in SnapshotReader.ListAsync(Connect(), "vms"))
            {
            }
        });

        Assert.Equal(ApiRetry.MaxAttempts, e.Attempts);
        Assert.Equal(ApiRetry.MaxAttempts, _lab.Faults.Status[0].Injected);
        Assert.Equal(503, e.StatusCode);
        Assert.Contains($"The request was sent {ApiRetry.MaxAttempts} times over", e.Message);
        Assert.Contains($"(503 x{ApiRetry.MaxAttempts})", e.Message);
        Assert.StartsWith("The API server is unavailable (503) while trying to list virtualmachinesnapshots", e.Message);
    }

    [Fact]
    public async Task A_restarting_server_is_ridden_through()
    {
        KubeVirtConnection connection = Connect();
        Faults("""{"fault":"restart","verbs":["get"],"sequence":[1],"duration":"1500ms"}""");

        KubeVirtVMSnapshot? found = await SnapshotReader.GetAsync(connection, "vms", "no-such-snapshot");

        Assert.Null(found);
        Assert.Equal(1, _lab.Faults.Status[0].Injected);
        Assert.True(_lab.Faults.Status[0].Matched >= 2, "the get was sent again after the restart");
    }

    [Fact]
    public async Task A_wait_follows_its_object_across_a_cut_watch_and_an_expired_resume()
    {
        KubeVirtConnection connection = Connect();
        // The first watch is cut after 200 ms; its resume from the last resourceVersion is answered 410 Expired, so the
        // namespace is relisted (before the object exists) and watched again.
        Faults(
            """{"fault":"closeWatch","resources":["virtualmachinesnapshots"],"duration":"200ms","count":1}""",
            """{"fault":"expireWatch","resources":["virtualmachinesnapshots"],"count":1}""");
        await using WatchSet watches = new(connection);
        NamespaceWatch watch = await watches.ForAsync(ResourceType.VirtualMachineSnapshot, "vms", CancellationToken.None);
        ChannelReader<WatchEvent> events = watch.Subscribe("followed");
        for (int i = 0; i < 200 && _lab.Faults.Status[1].Injected == 0; i++)
        {
            await Task.Delay(50);
        }

        await Task.Delay(500); // the relist after the 410: it finds no 'followed' yet
        JsonElement created = await SnapshotWriter.CreateAsync(connection, Request("followed"), CancellationToken.None);
        await SnapshotWriter.AnnotateAsync(connection, "vms", "followed", new Dictionary<string, string> { ["step"] = "done" }, CancellationToken.None);
        using CancellationTokenSource limit = new(TimeSpan.FromSeconds(30));
        JsonElement final = await ResourceWaiter.WaitAsync(ResourceType.VirtualMachineSnapshot, events, created,
            o => o.Child("metadata").Child("annotations").String("step"), step => step == "done", (_, _) => { }, limit.Token);

        Assert.Equal(1, _lab.Faults.Status[0].Injected);
        Assert.Equal(1, _lab.Faults.Status[1].Injected);
        Assert.Equal("done", final.Child("metadata").Child("annotations").String("step"));
    }

    [Theory]
    [InlineData("update", 0, true, false)]   // a PUT to start whose connection dropped: it may have started the VM
    [InlineData("update", 503, false, true)]  // virt-api unavailable: nothing was done
    [InlineData("update", 429, false, true)]
    [InlineData("update", 0, false, true)]    // connection refused
    [InlineData("create", 500, false, true)]  // reconciled by name and request id
    [InlineData("get", 0, true, true)]
    [InlineData("get", 403, false, false)]
    public void What_is_sent_again_depends_on_the_verb_and_whether_the_server_can_have_acted(string verb, int code,
        bool lostMidway, bool retried)
    {
        ApiRequest request = new(verb, ResourceType.VirtualMachineSnapshot, "vms", "x");
        KubeApiException failure = code switch
        {
            0 => new KubeApiException(ApiErrorKind.Unreachable, "cut", request, connectionRefused: !lostMidway),
            429 => new KubeApiException(ApiErrorKind.Throttled, "slow down", request, 429),
            403 => new KubeApiException(ApiErrorKind.Forbidden, "no", request, 403),
            _ => new KubeApiException(ApiErrorKind.ServerError, "oops", request, code),
        };

        Assert.Equal(retried, ApiRetry.ShouldRetry(failure, new RetryLog(request)));
    }
}
