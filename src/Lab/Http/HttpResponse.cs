using System.Globalization;
using System.Text;

namespace VmSnapshot.Lab.Http;

/// <summary>
/// The answer to one request. Either a whole body with Content-Length (<see cref="SendAsync"/>), or a
/// chunked stream (<see cref="BeginChunkedAsync"/>) used for large lists and for watches.
/// </summary>
internal sealed class HttpResponse(Stream stream)
{
    private ChunkedStream? _chunked;

    /// <summary>Bodies up to this size are copied behind the head and sent with it; bigger ones are not worth a copy.</summary>
    private const int OneWriteLimit = 64 * 1024;

    /// <summary>True once the status line has gone out; after that an error can only close the connection.</summary>
    public bool Started { get; private set; }
    public bool Completed { get; private set; }
    public int StatusCode { get; private set; }
    /// <summary>Set by the connection loop when the client asked to close after this response.</summary>
    public bool CloseAfter { get; set; }

    public async Task SendAsync(int status, ReadOnlyMemory<byte> body, string contentType, CancellationToken ct, IEnumerable<KeyValuePair<string, string>>? extraHeaders = null)
    {
        StringBuilder head = Head(status, contentType, extraHeaders);
        head.Append("Content-Length: ").Append(body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n\r\n");
        Started = true;
        byte[] headBytes = Encoding.ASCII.GetBytes(head.ToString());
        if (body.Length <= OneWriteLimit)
        {
            // Head and body in one write: one segment on a NoDelay connection rather than two.
            byte[] message = new byte[headBytes.Length + body.Length];
            headBytes.CopyTo(message, 0);
            body.Span.CopyTo(message.AsSpan(headBytes.Length));
            await stream.WriteAsync(message, ct);
        }
        else
        {
            await stream.WriteAsync(headBytes, ct);
            await stream.WriteAsync(body, ct);
        }
        await stream.FlushAsync(ct);
        Completed = true;
    }

    /// <summary>Sends the head with Transfer-Encoding: chunked and returns the body stream.</summary>
    public async Task<Stream> BeginChunkedAsync(int status, string contentType, CancellationToken ct, IEnumerable<KeyValuePair<string, string>>? extraHeaders = null)
    {
        StringBuilder head = Head(status, contentType, extraHeaders);
        head.Append("Transfer-Encoding: chunked\r\n\r\n");
        Started = true;
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), ct);
        await stream.FlushAsync(ct);
        _chunked = new ChunkedStream(stream);
        return _chunked;
    }

    /// <summary>
    /// For long responses (watches): returns a token cancelled when the client closes the connection. It keeps
    /// one read pending on the connection, so the connection is closed after this response (Connection: close).
    /// </summary>
    public CancellationToken MonitorDisconnect(CancellationToken stop)
    {
        CloseAfter = true;
        CancellationTokenSource gone = CancellationTokenSource.CreateLinkedTokenSource(stop);
        _ = Task.Run(async () =>
        {
            try { await stream.ReadAsync(new byte[1], gone.Token); }
            catch (Exception) { /* reset, or we stopped watching */ }
            finally { try { gone.Cancel(); } catch (ObjectDisposedException) { } }
        });
        return gone.Token;
    }

    /// <summary>Ends a chunked body; no-op for Content-Length responses.</summary>
    public async Task CompleteAsync(CancellationToken ct)
    {
        if (_chunked != null && !Completed) await _chunked.CompleteAsync(ct);
        Completed = true;
    }

    private StringBuilder Head(int status, string contentType, IEnumerable<KeyValuePair<string, string>>? extra)
    {
        StatusCode = status;
        StringBuilder sb = new();
        sb.Append("HTTP/1.1 ").Append(status.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(ReasonPhrase(status)).Append("\r\n");
        sb.Append("Content-Type: ").Append(contentType).Append("\r\n");
        sb.Append("Cache-Control: no-cache, private\r\n");
        sb.Append("Date: ").Append(DateTime.UtcNow.ToString("R", CultureInfo.InvariantCulture)).Append("\r\n");
        if (CloseAfter) sb.Append("Connection: close\r\n");
        if (extra != null)
            foreach ((string? k, string? v) in extra) sb.Append(k).Append(": ").Append(v).Append("\r\n");
        return sb;
    }

    public static string ReasonPhrase(int status) => status switch
    {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        409 => "Conflict",
        410 => "Gone",
        413 => "Request Entity Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    };
}
