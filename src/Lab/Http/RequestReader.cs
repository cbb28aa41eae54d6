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
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    /// <summary>Returns null when the client closed the connection cleanly between requests.</summary>
    public async Task<HttpRequest?> ReadAsync(Stream responseStream, CancellationToken ct)
    {
        string? requestLine;
        do
        {
            requestLine = await ReadLineAsync(ct);
            if (requestLine == null) return null;
        } while (requestLine.Length == 0); // tolerate stray CRLF between requests (RFC 9112 2.2)

        string[] parts = requestLine.Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
            throw new HttpProtocolException(400, "malformed request line");

        Dictionary<string, string> headers = new(StringComparer.OrdinalIgnoreCase);
        int headerBytes = 0;
        while (true)
        {
            string line = await ReadLineAsync(ct) ?? throw new HttpProtocolException(400, "connection closed in headers");
            if (line.Length == 0) break;
            headerBytes += line.Length;
            if (headerBytes > MaxHeaderBytes) throw new HttpProtocolException(431, "headers too large");
            int colon = line.IndexOf(':');
            if (colon <= 0) throw new HttpProtocolException(400, "malformed header");
            string name = line[..colon].Trim();
            string value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out string? prev) ? prev + ", " + value : value;
        }

        bool http10 = parts[2] == "HTTP/1.0";
        string connection = headers.TryGetValue("Connection", out string? c) ? c.ToLowerInvariant() : "";
        bool keepAlive = http10 ? connection.Contains("keep-alive") : !connection.Contains("close");

        if (headers.TryGetValue("Expect", out string? expect) && expect.Equals("100-continue", StringComparison.OrdinalIgnoreCase))
        {
            await responseStream.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray(), ct);
            await responseStream.FlushAsync(ct);
        }

        byte[] body;
        if (headers.TryGetValue("Transfer-Encoding", out string? te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = await ReadChunkedAsync(ct);
        }
        else if (headers.TryGetValue("Content-Length", out string? cl))
        {
            if (!long.TryParse(cl, NumberStyles.None, CultureInfo.InvariantCulture, out long length))
                throw new HttpProtocolException(400, "bad Content-Length");
            if (length > maxBodyBytes) throw new HttpProtocolException(413, "body too large");
            body = await ReadExactAsync((int)length, ct);
        }
        else
        {
            body = [];
        }

        string target = parts[1];
        int q = target.IndexOf('?');
        string rawPath = q >= 0 ? target[..q] : target;
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
        using MemoryStream body = new();
        while (true)
        {
            string sizeLine = await ReadLineAsync(ct) ?? throw new HttpProtocolException(400, "connection closed in chunked body");
            int semi = sizeLine.IndexOf(';'); // chunk extensions are allowed and ignored
            if (!int.TryParse(semi >= 0 ? sizeLine[..semi] : sizeLine, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int size) || size < 0)
                throw new HttpProtocolException(400, "bad chunk size");
            if (size == 0)
            {
                // Trailer fields end with an empty line.
                while (!string.IsNullOrEmpty(await ReadLineAsync(ct))) { }
                return body.ToArray();
            }
            if (body.Length + size > maxBodyBytes) throw new HttpProtocolException(413, "body too large");
            byte[] chunk = await ReadExactAsync(size, ct);
            body.Write(chunk);
            if (await ReadLineAsync(ct) != "") throw new HttpProtocolException(400, "missing CRLF after chunk");
        }
    }

    private async Task<byte[]> ReadExactAsync(int count, CancellationToken ct)
    {
        byte[] result = new byte[count];
        int copied = 0;
        while (copied < count)
        {
            if (_start == _end && !await FillAsync(ct)) throw new HttpProtocolException(400, "connection closed in body");
            int n = Math.Min(count - copied, _end - _start);
            Buffer.BlockCopy(_buffer, _start, result, copied, n);
            _start += n;
            copied += n;
        }
        return result;
    }

    /// <summary>Reads one CRLF- (or LF-) terminated line as Latin-1; null at end of stream before any byte.</summary>
    private async Task<string?> ReadLineAsync(CancellationToken ct)
    {
        StringBuilder sb = new();
        while (true)
        {
            if (_start == _end && !await FillAsync(ct))
                return sb.Length == 0 ? null : throw new HttpProtocolException(400, "connection closed mid-line");
            int lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            int stop = lf >= 0 ? lf : _end;
            sb.Append(Encoding.Latin1.GetString(_buffer, _start, stop - _start));
            if (sb.Length > MaxHeaderBytes) throw new HttpProtocolException(431, "line too long");
            _start = lf >= 0 ? lf + 1 : _end;
            if (lf >= 0)
            {
                if (sb.Length > 0 && sb[^1] == '\r') sb.Length--;
                return sb.ToString();
            }
        }
    }

    private async Task<bool> FillAsync(CancellationToken ct)
    {
        _start = 0;
        _end = await stream.ReadAsync(_buffer, ct);
        return _end > 0;
    }
}
