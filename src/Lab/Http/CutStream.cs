namespace VmSnapshot.Lab.Http;

/// <summary>
/// Passes an answer's head (its first write) through, then only <c>keepBytes</c> more, and drops the rest: the client
/// sees an answer that breaks off mid-body: the write past the cut throws, and the connection is closed. Writes also stop once <c>cut</c> is cancelled.
/// Used by the fault rules Truncate and CloseWatch.
/// </summary>
internal sealed class CutStream(Stream inner, int keepBytes, CancellationToken cut = default) : Stream
{
    private bool _headSent;
    private long _left = keepBytes;

    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    // Reads pass through: a watch notices a client hanging up by a pending read.
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cut.ThrowIfCancellationRequested();
        if (!_headSent)
        {
            _headSent = true;
            await inner.WriteAsync(buffer, cancellationToken);
            return;
        }

        int pass = (int)Math.Min(_left, buffer.Length);
        if (pass > 0)
        {
            _left -= pass;
            await inner.WriteAsync(buffer[..pass], cancellationToken);
        }

        if (pass < buffer.Length)
        {
            // The cut: the handler stops as if the client had gone (a watch would otherwise write into nothing for
            // minutes while the client waits), and the connection is closed.
            await inner.FlushAsync(cancellationToken);
            throw new IOException("The lab's fault rule cut this answer off.");
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
}
