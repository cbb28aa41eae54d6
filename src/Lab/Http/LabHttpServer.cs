using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

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

    private readonly TcpListener _listener;
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

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Cancelled when the server stops; watches link to it so they end promptly.</summary>
    public CancellationToken Stopping => _stopping.Token;

    public void Start()
    {
        _listener.Start(backlog: 128);
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stopping.Token); }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) { if (_stopping.IsCancellationRequested) return; continue; }
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
