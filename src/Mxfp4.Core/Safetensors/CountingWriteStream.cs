namespace Mxfp4.Core.Safetensors;

/// <summary>
/// Passes writes through to the file being written while counting them, and refuses any byte beyond the tensor's
/// size, so a tensor writer that produces too much fails at once instead of shifting every later tensor.
/// </summary>
internal sealed class CountingWriteStream : Stream
{
    private readonly Stream _inner;
    private readonly long _limit;
    private readonly string _tensorName;

    public CountingWriteStream(Stream inner, long limit, string tensorName)
    {
        _inner = inner;
        _limit = limit;
        _tensorName = tensorName;
    }

    public long Written { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => Written;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Admit(buffer.Length);
        _inner.Write(buffer);
        Written += buffer.Length;
    }

    public override void WriteByte(byte value)
    {
        Admit(1);
        _inner.WriteByte(value);
        Written++;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Admit(buffer.Length);
        await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        Written += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override void Flush() => _inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void Admit(int count)
    {
        if (count > _limit - Written)
        {
            throw new InvalidOperationException(
                $"Tensor '{_tensorName}' is {_limit} bytes, but its writer wrote more ({Written + count}).");
        }
    }
}
