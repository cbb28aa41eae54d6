using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using VmSnapshot.Lab.Faults;

namespace VmSnapshot.Lab.Http;

/// <summary>
/// A small HTTP/1.1 server on the BCL (TcpListener plus optional SslStream). HttpListener cannot do TLS on
/// Linux and ASP.NET Core is not loadable in a plain pwsh, hence this. It supports keep-alive, Content-Length
/// and chunked request bodies, and chunked responses. Anything a handler throws before it started answering
/// becomes a 500 produced by the ErrorBody callback; after that the connection is closed.
/// </summary>
internal sealed class LabHttpServer : IDisposable
{
    public delegate Task Handler(HttpRequest request, HttpResponse response, CancellationToken ct);

    /// <summary>Produces the body for a failure outside any handler (413, 400, 500): status code, message -> JSON.</summary>
    public delegate byte[] ErrorBody(int statusCode, string message);

    private TcpListener _listener;
    private readonly X509Certificate2? _certificate;
    private readonly Handler _handler;
    private readonly ErrorBody _errorBody;
    private readonly int _maxBodyBytes;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<TcpClient, byte> _connections = new();
    private Task? _acceptLoop;
    private int _stopped;

    public LabHttpServer(int port, X509Certificate2? certificate, int maxBodyBytes, Handler handler, ErrorBody errorBody)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        this._certificate = certificate;
        this._handler = handler;
        this._errorBody = errorBody;
        this._maxBodyBytes = maxBodyBytes;
    }

    public int Port { get; private set; }

    /// <summary>The fault rules requests are checked against (none unless a scenario or a test sets some).</summary>
    public FaultInjector Faults { get; } = new();

    /// <summary>The watch ERROR event line (410 Expired) for a watch resumed from the given resourceVersion.</summary>
    public Func<long, byte[]>? ExpiredWatchEvent { get; init; }

    /// <summary>Cancelled when the server stops; watches link to it so they end promptly.</summary>
    public CancellationToken Stopping => _stopping.Token;

    public void Start()
    {
        _listener.Start(backlog: 128);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        TcpListener listener = _listener;
        _acceptLoop = Task.Run(() => AcceptLoopAsync(listener));
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(_stopping.Token); }
            catch (OperationCanceledException) { return; }
            catch (Exception) when (!ReferenceEquals(listener, _listener) || _stopping.IsCancellationRequested) { return; } // stopped, or restarted
            catch (SocketException) { continue; }
            client.NoDelay = true;
            _connections[client] = 0;
            _ = Task.Run(() => ServeConnectionAsync(client));
        }
    }

    private async Task ServeConnectionAsync(TcpClient client)
    {
        CancellationToken ct = _stopping.Token;
        try
        {
            Stream stream = client.GetStream();
            if (_certificate != null)
            {
                SslStream ssl = new(stream, leaveInnerStreamOpen: false);
                // Offer only http/1.1 in ALPN: clients that would prefer h2 fall back to HTTP/1.1.
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = _certificate,
                    ClientCertificateRequired = false,
                    ApplicationProtocols = [SslApplicationProtocol.Http11],
                }, ct);
                stream = ssl;
            }
            await using Stream _ = stream;
            RequestReader reader = new(stream, _maxBodyBytes);
            while (!ct.IsCancellationRequested)
            {
                HttpRequest? request;
                try
                {
                    request = await reader.ReadAsync(stream, ct);
                }
                catch (HttpProtocolException ex)
                {
                    // We cannot know where the next request starts: answer and close.
                    HttpResponse failure = new(stream) { CloseAfter = true };
                    await failure.SendAsync(ex.StatusCode, _errorBody(ex.StatusCode, ex.Message), "application/json", ct);
                    await DrainAsync(stream);
                    return;
                }
                if (request == null) return;

                FaultRule? fault = Faults.Decide(request);
                if (fault != null)
                {
                    if (!await InjectAsync(fault, request, stream, ct)) return;
                    continue;
                }

                HttpResponse response = new(stream) { CloseAfter = !request.KeepAlive };
                try
                {
                    await _handler(request, response, ct);
                    await response.CompleteAsync(ct);
                }
                catch (Exception) when (ct.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
                {
                    return; // the client went away mid-response
                }
                catch (Exception ex)
                {
                    if (response.Started) return; // half a response is out; closing is the only honest signal
                    await response.SendAsync(500, _errorBody(500, ex.Message), "application/json", ct);
                }
                if (response.CloseAfter) return;
            }
        }
        catch (Exception)
        {
            // TLS handshake failures, resets, shutdown: nothing useful to tell anyone.
        }
        finally
        {
            _connections.TryRemove(client, out byte _);
            client.Dispose();
        }
    }

    /// <summary>
    /// Does what a fault rule says to one request (see <see cref="FaultKind"/>). Returns true when the connection stays
    /// usable for the next request, false when it must be closed.
    /// </summary>
    private async Task<bool> InjectAsync(FaultRule fault, HttpRequest request, Stream stream, CancellationToken ct)
    {
        // An answer instead of the handler's; the connection stays open when the client keeps it alive.
        async Task<bool> AnswerAsync(int status, byte[] body, string contentType, KeyValuePair<string, string>[]? headers)
        {
            HttpResponse answer = new(stream) { CloseAfter = !request.KeepAlive };
            await answer.SendAsync(status, body, contentType, ct, headers);
            return !answer.CloseAfter;
        }

        switch (fault.Kind)
        {
            case FaultKind.Throttle:
                // k8s.io/apiserver pkg/server/filters/maxinflight.go, tooManyRequests: Retry-After and a plain-text body.
                return await AnswerAsync(429, Utf8("Too many requests, please try again later.\n"), "text/plain; charset=utf-8",
                    [new("Retry-After", ((int)Math.Ceiling(fault.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture))]);
            case FaultKind.Unavailable:
                // k8s.io/kube-aggregator pkg/apiserver/handler_proxy.go, proxyError: plain text "service unavailable".
                return await AnswerAsync(503, Utf8("service unavailable\n"), "text/plain; charset=utf-8", null);
            case FaultKind.Error:
                return await AnswerAsync(500, _errorBody(500, "the lab's fault rule failed this request"), "application/json", null);
            case FaultKind.Reset:
                return false;
            case FaultKind.Restart:
                _ = RestartAsync(fault.Duration);
                return false;
            case FaultKind.Slow:
                await Task.Delay(fault.Delay, ct);
                HttpResponse slow = new(stream) { CloseAfter = !request.KeepAlive };
                await _handler(request, slow, ct);
                await slow.CompleteAsync(ct);
                return !slow.CloseAfter;
            case FaultKind.ExpireWatch:
                // The watch cache answers compacted history with 200 and an ERROR event (LabStore.Subscribe does the same).
                long fromRv = long.TryParse(request.Query["resourceVersion"], out long rv) ? rv : 0;
                HttpResponse expired = new(stream) { CloseAfter = true };
                Stream events = await expired.BeginChunkedAsync(200, "application/json", ct);
                await events.WriteAsync(ExpiredWatchEvent?.Invoke(fromRv) ?? [], ct);
                await expired.CompleteAsync(ct);
                return false;
            case FaultKind.LostResponse:
                // Carried out in full; not one byte of the answer reaches the client.
                await _handler(request, new HttpResponse(Stream.Null), ct);
                return false;
            case FaultKind.Truncate:
                HttpResponse cut = new(new CutStream(stream, fault.KeepBytes)) { CloseAfter = true };
                try
                {
                    await _handler(request, cut, ct);
                    await cut.CompleteAsync(ct);
                }
                catch (IOException)
                {
                    // The cut came: close.
                }

                return false;
            case FaultKind.CloseWatch:
                using (CancellationTokenSource closing = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    closing.CancelAfter(fault.Duration);
                    HttpResponse watch = new(new CutStream(stream, int.MaxValue, closing.Token)) { CloseAfter = true };
                    try { await _handler(request, watch, closing.Token); }
                    catch (Exception) when (closing.IsCancellationRequested) { }
                }

                return false; // closed without the final chunk: the client sees the stream break
            default:
                return false;
        }
    }

    /// <summary>
    /// The API server restarts: the listener closes, every open connection (watches too) is dropped, new connections
    /// are refused for <paramref name="down"/>, then the same port listens again.
    /// </summary>
    public async Task RestartAsync(TimeSpan down)
    {
        TcpListener old = _listener;
        old.Stop();
        foreach (TcpClient c in _connections.Keys)
        {
            try { c.Client.Shutdown(SocketShutdown.Both); } catch (Exception) { /* already gone */ }
            c.Dispose();
        }

        try { await Task.Delay(down, _stopping.Token); }
        catch (OperationCanceledException) { return; }
        for (int attempt = 0; ; attempt++)
        {
            TcpListener listener = new(IPAddress.Loopback, Port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            try
            {
                listener.Start(backlog: 128);
            }
            catch (SocketException) when (attempt < 50 && !_stopping.IsCancellationRequested)
            {
                listener.Dispose();
                await Task.Delay(100);
                continue;
            }

            _listener = listener;
            if (Volatile.Read(ref _stopped) == 1) { listener.Stop(); return; }
            _acceptLoop = Task.Run(() => AcceptLoopAsync(listener));
            return;
        }
    }

    /// <summary>
    /// Lingering close: read and discard what the client is still sending (an oversized body) for a moment,
    /// so it gets to read our answer instead of a connection reset.
    /// </summary>
    private static async Task DrainAsync(Stream stream)
    {
        using CancellationTokenSource cts = new(TimeSpan.FromSeconds(2));
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try
        {
            int n;
            while (total < 64L * 1024 * 1024 && (n = await stream.ReadAsync(buffer, cts.Token)) > 0) total += n;
        }
        catch (Exception) { /* timeout or reset: we tried */ }
    }

    /// <summary>Stops accepting, cancels every handler (watches end) and closes open connections. Idempotent.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        _stopping.Cancel();
        _listener.Stop();
        foreach (TcpClient c in _connections.Keys)
        {
            try { c.Client.Shutdown(SocketShutdown.Both); } catch (Exception) { /* already gone */ }
            c.Dispose();
        }
        try { _acceptLoop?.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
    }

    public void Dispose()
    {
        Stop();
        _stopping.Dispose();
    }

    internal static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
