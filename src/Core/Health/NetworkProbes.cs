using System.Diagnostics;
using System.Net.Http;
using System.Net.Sockets;

namespace VmSnapshot.Core.Health;

/// <summary>
/// Probes made from where the module runs, not from the cluster: a TCP connect and an HTTP GET. They answer "can my
/// users reach the service", which the cluster's own conditions cannot.
/// </summary>
public static class NetworkProbes
{
    // One client for every probe: a new HttpClient per probe would leave sockets behind on long health waits.
    private static readonly HttpClient s_http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>Pass when <paramref name="host"/>:<paramref name="port"/> accepts a connection within the timeout.</summary>
    public static async Task<VMHealthCheck> TcpAsync(string? host, int port, TimeSpan timeout, CancellationToken cancelToken)
    {
        string target = $"{host}:{port}";
        if (string.IsNullOrEmpty(host))
        {
            return Result(HealthCheckNames.TcpPort, $":{port}", HealthCheckStatus.Fail,
                "No address to connect to: the guest reports none (give -TcpHost).");
        }

        using CancellationTokenSource limit = CancellationTokenSource.CreateLinkedTokenSource(cancelToken);
        limit.CancelAfter(timeout);
        Stopwatch took = Stopwatch.StartNew();
        try
        {
            using TcpClient client = new();
            await client.ConnectAsync(host, port, limit.Token).ConfigureAwait(false);
            return Result(HealthCheckNames.TcpPort, target, HealthCheckStatus.Pass, $"{target} accepted a connection in {took.ElapsedMilliseconds} ms.");
        }
        catch (OperationCanceledException) when (!cancelToken.IsCancellationRequested)
        {
            return Result(HealthCheckNames.TcpPort, target, HealthCheckStatus.Fail, $"{target} did not answer within {timeout.TotalSeconds:0.#} s.");
        }
        catch (SocketException e)
        {
            return Result(HealthCheckNames.TcpPort, target, HealthCheckStatus.Fail, $"{target} refused or is unreachable: {e.Message}");
        }
    }

    /// <summary>Pass when a GET of <paramref name="uri"/> answers with <paramref name="expectedStatus"/> within the timeout.</summary>
    public static async Task<VMHealthCheck> HttpAsync(Uri uri, int expectedStatus, TimeSpan timeout, CancellationToken cancelToken)
    {
        string target = uri.GetLeftPart(UriPartial.Path);
        using CancellationTokenSource limit = CancellationTokenSource.CreateLinkedTokenSource(cancelToken);
        limit.CancelAfter(timeout);
        try
        {
            using HttpResponseMessage response = await s_http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, limit.Token)
                .ConfigureAwait(false);
            int status = (int)response.StatusCode;
            return status == expectedStatus
                ? Result(HealthCheckNames.Http, target, HealthCheckStatus.Pass, $"{target} answered {status}.")
                : Result(HealthCheckNames.Http, target, HealthCheckStatus.Fail, $"{target} answered {status}, not {expectedStatus}.");
        }
        catch (OperationCanceledException) when (!cancelToken.IsCancellationRequested)
        {
            return Result(HealthCheckNames.Http, target, HealthCheckStatus.Fail, $"{target} did not answer within {timeout.TotalSeconds:0.#} s.");
        }
        catch (HttpRequestException e)
        {
            return Result(HealthCheckNames.Http, target, HealthCheckStatus.Fail, $"{target} could not be reached: {e.Message}");
        }
    }

    private static VMHealthCheck Result(string name, string target, HealthCheckStatus status, string message) =>
        new() { Name = name, Target = target, Status = status, Message = message };
}
