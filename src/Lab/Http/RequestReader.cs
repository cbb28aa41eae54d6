using System.Globalization;
using System.Text;

namespace VmSnapshot.Lab.Http;

/// <summary>
/// Reads HTTP/1.1 requests from a connection stream: request line, headers, and a body framed by
/// Content-Length or chunked transfer coding. Keep-alive means several requests arrive on one stream,
/// so the reader owns a buffer that survives between requests.
/// </summary>
internal sealed class RequestReader(Stream stream, int maxBodyBytes)
{
    private const int MaxHeaderBytes = 1 << 20;
    private readonly byte[] buffer = new byte[16 * 1024];
    private int start;
    private int end;

    /// <summary>Returns null when the client closed the connection cleanly between requests.</summary>
    public async Task<HttpRequest?> ReadAsync(Stream responseStream, CancellationToken ct)
    {
        string? requestLine;
        do
        {
            requestLine = await ReadLineAsync(ct);
            if (requestLine == null) return null;
        } while (requestLine.Length == 0); // tolerate stray CRLF between requests (RFC 9112 2.2)

        var parts = requestLine.Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
            throw new HttpProtocolException(400, "malformed request line");

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var headerBytes = 0;
        while (true)
        {
            var line = await ReadLineAsync(ct) ?? throw new HttpProtocolException(400, "connection closed in headers");
            if (line.Length == 0) break;
            headerBytes += line.Length;
            if (headerBytes > MaxHeaderBytes) throw new HttpProtocolException(431, "headers too large");
            var colon = line.IndexOf(':');
            if (colon <= 0) throw new HttpProtocolException(400, "malformed header");
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var prev) ? prev + ", " + value : value;
        }

        var http10 = parts[2] == "HTTP/1.0";
        var connection = headers.TryGetValue("Connection", out var c) ? c.ToLowerInvariant() : "";
        var keepAlive = http10 ? connection.Contains("keep-alive") : !connection.Contains("close");

        if (headers.TryGetValue("Expect", out var expect) && expect.Equals("100-continue", StringComparison.OrdinalIgnoreCase))
        {
            await responseStream.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray(), ct);
            await responseStream.FlushAsync(ct);
        }

        byte[] body;
        if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            body = await ReadChunkedAsync(ct);
        else if (headers.TryGetValue("Content-Length", out var cl))
        {
            if (!long.TryParse(cl, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
                throw new HttpProtocolException(400, "bad Content-Length");
            if (length > maxBodyBytes) throw new HttpProtocolException(413, "body too large");
            body = await ReadExactAsync((int)length, ct);
        }
        else body = [];

        var target = parts[1];
        var q = target.IndexOf('?');
        var rawPath = q >= 0 ? target[..q] : target;
        return new HttpRequest
        {
            Method = parts[0],
            Target = target,
            Path = Uri.UnescapeDataString(rawPath),
            Query = QueryString.Parse(q >= 0 ? target[(q + 1)..] : ""),
            Headers = headers,
            Body = body,
            KeepAlive = keepAlive,
        };
    }

    private async Task<byte[]> ReadChunkedAsync(CancellationToken ct)
    {
        using var body = new MemoryStream();
        while (true)
        {
            var sizeLine = await ReadLineAsync(ct) ?? throw new HttpProtocolException(400, "connection closed in chunked body");
            var semi = sizeLine.IndexOf(';'); // chunk extensions are allowed and ignored
            if (!int.TryParse(semi >= 0 ? sizeLine[..semi] : sizeLine, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var size) || size < 0)
                throw new HttpProtocolException(400, "bad chunk size");
            if (size == 0)
            {
                // Trailer fields end with an empty line.
                while (!string.IsNullOrEmpty(await ReadLineAsync(ct))) { }
                return body.ToArray();
            }
            if (body.Length + size > maxBodyBytes) throw new HttpProtocolException(413, "body too large");
            var chunk = await ReadExactAsync(size, ct);
            body.Write(chunk);
            if (await ReadLineAsync(ct) != "") throw new HttpProtocolException(400, "missing CRLF after chunk");
        }
    }

    private async Task<byte[]> ReadExactAsync(int count, CancellationToken ct)
    {
        var result = new byte[count];
        var copied = 0;
        while (copied < count)
        {
            if (start == end && !await FillAsync(ct)) throw new HttpProtocolException(400, "connection closed in body");
            var n = Math.Min(count - copied, end - start);
            Buffer.BlockCopy(buffer, start, result, copied, n);
            start += n;
            copied += n;
        }
        return result;
    }

    /// <summary>Reads one CRLF- (or LF-) terminated line as Latin-1; null at end of stream before any byte.</summary>
    private async Task<string?> ReadLineAsync(CancellationToken ct)
    {
        var sb = new StringBuilder();
        while (true)
        {
            if (start == end && !await FillAsync(ct))
                return sb.Length == 0 ? null : throw new HttpProtocolException(400, "connection closed mid-line");
            var lf = Array.IndexOf(buffer, (byte)'\n', start, end - start);
            var stop = lf >= 0 ? lf : end;
            sb.Append(Encoding.Latin1.GetString(buffer, start, stop - start));
            if (sb.Length > MaxHeaderBytes) throw new HttpProtocolException(431, "line too long");
            start = lf >= 0 ? lf + 1 : end;
            if (lf >= 0)
            {
                if (sb.Length > 0 && sb[^1] == '\r') sb.Length--;
                return sb.ToString();
            }
        }
    }

    private async Task<bool> FillAsync(CancellationToken ct)
    {
        start = 0;
        end = await stream.ReadAsync(buffer, ct);
        return end > 0;
    }
}
