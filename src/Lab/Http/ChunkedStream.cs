using System.Text;

namespace VmSnapshot.Lab.Http;

/// <summary>
/// Write-only stream that frames what it is given as HTTP/1.1 chunks. It buffers up to 32 KiB so a large
/// list goes out in a few big chunks; FlushAsync emits the buffered chunk at once (one watch event per flush).
/// </summary>
internal sealed class ChunkedStream(Stream inner) : Stream
{
    private readonly MemoryStream _pending = new();
    private const int ChunkSize = 32 * 1024;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        _pending.Write(buffer, offset, count);
        if (_pending.Length >= ChunkSize) EmitChunk();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _pending.Write(buffer.Span);
        if (_pending.Length >= ChunkSize) await EmitChunkAsync(cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
        EmitChunk();
        inner.Flush();
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await EmitChunkAsync(cancellationToken);
        await inner.FlushAsync(cancellationToken);
    }

    /// <summary>Sends what is buffered, then the zero-length last chunk.</summary>
    public async Task CompleteAsync(CancellationToken ct)
    {
        await EmitChunkAsync(ct);
        await inner.WriteAsync("0\r\n\r\n"u8.ToArray(), ct);
        await inner.FlushAsync(ct);
    }

    private void EmitChunk()
    {
        if (_pending.Length == 0) return;
        inner.Write(Frame());
        _pending.SetLength(0);
    }

    private async Task EmitChunkAsync(CancellationToken ct)
    {
        if (_pending.Length == 0) return;
        await inner.WriteAsync(Frame(), ct);
        _pending.SetLength(0);
    }

    /// <summary>
    /// The pending bytes as one chunk (size line, data, CRLF) in one buffer: one write to the socket, where three
    /// writes on a NoDelay connection would send three segments and wake the client up to three times.
    /// </summary>
    private byte[] Frame()
    {
        byte[] size = Encoding.ASCII.GetBytes(_pending.Length.ToString("x") + "\r\n");
        byte[] frame = new byte[size.Length + _pending.Length + 2];
        size.CopyTo(frame, 0);
        _pending.GetBuffer().AsSpan(0, (int)_pending.Length).CopyTo(frame.AsSpan(size.Length));
        "\r\n"u8.CopyTo(frame.AsSpan(frame.Length - 2));
        return frame;
    }
}
