using System.Net;
using VmSnapshot.Core.Api;
using VmSnapshot.Core.Connection;
using VmSnapshot.Core.Snapshots;
using VmSnapshot.Lab;
using VmSnapshot.Tests.Lab;
using Xunit;

namespace VmSnapshot.Tests.Core;

/// <summary>The engine against the lab over real HTTP: paging, the two kinds of 404, and 401/403 classification.</summary>
public sealed class SnapshotReaderLabTests : IDisposable
{
    private readonly LabServer _lab = LabTestSupport.StartLab();

    public void Dispose() => _lab.Dispose();

    private KubeVirtConnection Connect() => ConnectionFactory.FromKubeconfig(new[] { _lab.KubeconfigPath }, null, null);

    [Fact]
    public async Task Lists_across_pages_without_losing_or_repeating_objects()
    {
        KubeVirtConnection connection = Connect();
        List<string> paged = new();
        await foreach (KubeVirtVMSnapshot s in SnapshotReader.ListAsync(connection, connection.Namespace, pageSize: 2))
        {
            paged.Add(s.Name);
        }

        List<string> single = new();
        await foreach (KubeVirtVMSnapshot s in SnapshotReader.ListAsync(connection, connection.Namespace))
        {
            single.Add(s.Name);
        }

        Assert.True(paged.Count >= 3, "the default scenario has several snapshots, so pageSize 2 needs several pages");
        Assert.Equal(single, paged);
        Assert.Equal(paged.Count, paged.Distinct().Count());
    }

    [Fact]
    public async Task A_missing_object_is_null_but_a_missing_api_is_an_error()
    {
        KubeVirtConnection connection = Connect();
        Assert.Null(await SnapshotReader.GetAsync(connection, connection.Namespace, "no-such-snapshot"));

        KubeClientHandle handle = ConnectionFactory.ClientFor(connection);
        ResourceType missingApi = new("nothing.example.com", "v1", "widgets", "Widget");
        KubeApiException e = await Assert.ThrowsAsync<KubeApiException>(() =>
            CustomResources.GetAsync(handle.Client, missingApi, "vms", "w", CancellationToken.None));
        Assert.Equal(ApiErrorKind.NotFound, e.Kind);
        Assert.Equal(404, e.StatusCode);
    }

    [Fact]
    public async Task A_wrong_token_is_classified_as_unauthorized_without_echoing_the_token()
    {
        KubeVirtConnection connection = ConnectionFactory.FromToken(_lab.Server,
            new NetworkCredential("", "not-the-lab-token").SecurePassword, null, "vms");

        KubeApiException e = await Assert.ThrowsAsync<KubeApiException>(() =>
            ServerProbe.CheckAsync(connection, CancellationToken.None));

        Assert.Equal(ApiErrorKind.Unauthorized, e.Kind);
        Assert.Equal(401, e.StatusCode);
        Assert.DoesNotContain("not-the-lab-token", e.ToString());
    }

    [Fact]
    public async Task An_unreachable_server_is_classified_as_unreachable()
    {
        System.Net.Sockets.TcpListener listener = new(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        KubeVirtConnection connection = ConnectionFactory.FromToken(new Uri($"http://127.0.0.1:{port}"),
            new NetworkCredential("", "t").SecurePassword, null, "vms");

        KubeApiException e = await Assert.ThrowsAsync<KubeApiException>(() =>
            ServerProbe.CheckAsync(connection, CancellationToken.None));

        Assert.Equal(ApiErrorKind.Unreachable, e.Kind);
    }
}
