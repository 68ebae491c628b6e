namespace Mxfp4.Core.Tests.Conversion;

/// <summary>Bytes the wrapped output streams of one conversion may still write before the "disk" is full.</summary>
internal sealed class WriteBudget(long bytes)
{
    public long Remaining { get; set; } = bytes;

    public long Written { get; set; }

    public Func<Stream, Stream> Filter => inner => new FailingWriteStream(inner, this);
}

/// <summary>
/// A write-only wrapper that passes bytes through until its <see cref="WriteBudget"/> is spent, then writes what
/// still fits and fails as a full disk does.
/// </summary>
internal sealed class FailingWriteStream(Stream inner, WriteBudget budget) : Stream
{
    public const string DiskFullMessage = "No space left on device";

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        int allowed = (int)Math.Min(buffer.Length, budget.Remaining);
        inner.Write(buffer[..allowed]);
        budget.Remaining -= allowed;
        budget.Written += allowed;
        if (allowed < buffer.Length)
        {
            throw new IOException(DiskFullMessage);
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
