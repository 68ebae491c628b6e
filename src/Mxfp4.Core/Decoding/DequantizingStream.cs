using System.Buffers;
using Mxfp4.Core.Decoding;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Tensors;

// The namespace is not the folder's: ConvertFrom-Mxfp4 -AsStream emits it, and users
// see its full name in Get-Member and PSObject.TypeNames; so it keeps the name it was published with.
#pragma warning disable IDE0130 // Namespace does not match folder structure
namespace Mxfp4.Core.Mxfp4;
#pragma warning restore IDE0130

/// <summary>
/// The dequantized bytes of a tensor (or of an element range of it) as a read-only, seekable stream: the "reader"
/// interface. Reads of any size and at any position, even mid-element, return exactly the bytes the materialised
/// result has there. Small or unaligned reads are served from an internal buffer holding one aligned chunk of
/// <see cref="ChunkBytes"/> of output; a read of at least a chunk at an element-aligned position decodes straight
/// into the caller's buffer. Chunks are decoded by <see cref="ParallelDecoder"/>. Like most streams, not safe for
/// concurrent use; asynchronous reads complete synchronously (the work is CPU-bound and already runs on the workers).
/// </summary>
public sealed class DequantizingStream : Stream
{
    /// <summary>Output bytes decoded per buffered chunk.</summary>
    public const int ChunkBytes = 1 << 20;

    private readonly TensorSource _source;
    private readonly OutputFormat _format;
    private readonly long _firstElement;
    private readonly long _elementCount;
    private readonly int _threads;
    private readonly IDisposable? _owner;
    private readonly int _bytesPerElement;
    private readonly long _unit;
    private readonly long _gridBase;
    private readonly long _chunkElements;
    private byte[]? _buffer;
    private long _bufferStart;
    private int _bufferLength;
    private long _position;
    private bool _disposed;

    /// <summary>A stream over the whole tensor.</summary>
    public DequantizingStream(TensorSource source, OutputFormat format, int threads = 0, IDisposable? owner = null)
        : this(source, format, 0, (source ?? throw new ArgumentNullException(nameof(source))).ElementCount, threads, owner)
    {
    }

    /// <summary>
    /// A stream over elements [<paramref name="firstElement"/>, +<paramref name="elementCount"/>), decoded on up to
    /// <paramref name="threads"/> workers (0 = all). <paramref name="owner"/>, if given, is disposed with the stream
    /// (e.g. the checkpoint whose files the source reads).
    /// </summary>
    public DequantizingStream(TensorSource source, OutputFormat format, long firstElement, long elementCount, int threads = 0,
        IDisposable? owner = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        source.CheckRange(firstElement, elementCount);
        _bytesPerElement = format.BytesPerElement();
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementCount, long.MaxValue / _bytesPerElement);

        _source = source;
        _format = format;
        _firstElement = firstElement;
        _elementCount = elementCount;
        _threads = threads;
        _owner = owner;
        _unit = ParallelDecoder.PartitionUnit(source, format);
        _gridBase = firstElement - (firstElement % _unit);
        _chunkElements = Math.Max(1, ChunkBytes / _bytesPerElement / _unit) * _unit;
    }

    public TensorSource Source => _source;

    public OutputFormat Format => _format;

    /// <summary>The tensor element the stream's byte 0 belongs to.</summary>
    public long FirstElement => _firstElement;

    /// <summary>Elements the stream covers; <see cref="Length"/> is this times the format's bytes per element.</summary>
    public long ElementCount => _elementCount;

    public override bool CanRead => !_disposed;

    public override bool CanSeek => !_disposed;

    public override bool CanWrite => false;

    /// <summary>Output bytes: elements × bytes per element.</summary>
    public override long Length
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _elementCount * _bytesPerElement;
        }
    }

    public override long Position
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _position;
        }

        set
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long origin64 = origin switch
        {
            SeekOrigin.Begin => 0,
            SeekOrigin.Current => _position,
            SeekOrigin.End => Length,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        long target = origin64 + offset;
        if (target < 0)
        {
            throw new IOException("An attempt was made to move the position before the beginning of the stream.");
        }

        _position = target;
        return target;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int Read(Span<byte> buffer) => ReadCore(buffer, CancellationToken.None);

    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return ReadCore(one, CancellationToken.None) == 0 ? -1 : one[0];
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        try
        {
            return new ValueTask<int>(ReadCore(buffer.Span, cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }
#pragma warning disable CA1031 // an asynchronous read reports its failure through the task, like any async method
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ValueTask.FromException<int>(ex);
        }
    }

    /// <summary>Copies the rest of the stream with reads of at least a chunk, so every aligned read decodes in place.</summary>
    public override void CopyTo(Stream destination, int bufferSize)
    {
        ValidateCopyToArguments(destination, bufferSize);
        ObjectDisposedException.ThrowIf(_disposed, this);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(bufferSize, ChunkBytes));
        try
        {
            int read;
            while ((read = Read(buffer)) != 0)
            {
                destination.Write(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public override async Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
    {
        ValidateCopyToArguments(destination, bufferSize);
        ObjectDisposedException.ThrowIf(_disposed, this);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(bufferSize, ChunkBytes));
        try
        {
            int read;
            while ((read = ReadCore(buffer, cancellationToken)) != 0)
            {
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException("A dequantizing stream is read-only.");

    public override void Write(byte[] buffer, int offset, int count)
        => throw new NotSupportedException("A dequantizing stream is read-only.");

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _buffer = null;
            _owner?.Dispose();
        }

        base.Dispose(disposing);
    }

    private int ReadCore(Span<byte> destination, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long length = _elementCount * _bytesPerElement;
        int total = 0;
        while (!destination.IsEmpty && _position < length)
        {
            int done = TryCopyFromBuffer(destination);
            if (done == 0)
            {
                done = TryDecodeInPlace(destination, cancellationToken);
            }

            if (done == 0)
            {
                FillBuffer(cancellationToken);
                continue;
            }

            _position += done;
            total += done;
            destination = destination[done..];
        }

        return total;
    }

    private int TryCopyFromBuffer(Span<byte> destination)
    {
        if (_buffer is null || _position < _bufferStart || _position >= _bufferStart + _bufferLength)
        {
            return 0;
        }

        int offset = (int)(_position - _bufferStart);
        int length = Math.Min(destination.Length, _bufferLength - offset);
        _buffer.AsSpan(offset, length).CopyTo(destination);
        return length;
    }

    /// <summary>Decodes whole elements straight into a big read at an element boundary; returns 0 when that does not apply.</summary>
    private int TryDecodeInPlace(Span<byte> destination, CancellationToken cancellationToken)
    {
        if (destination.Length < ChunkBytes || _position % _bytesPerElement != 0)
        {
            return 0;
        }

        long element = _firstElement + (_position / _bytesPerElement);
        long end = Math.Min(element + (destination.Length / _bytesPerElement), _firstElement + _elementCount);
        if (end < _firstElement + _elementCount)
        {
            // Stop on a unit boundary so the next read starts aligned too.
            end -= (end - _gridBase) % _unit;
        }

        if (end <= element)
        {
            return 0;
        }

        ParallelDecoder.Decode(_source, element, end - element, destination, _format, _threads, cancellationToken);
        return (int)((end - element) * _bytesPerElement);
    }

    /// <summary>Decodes the aligned chunk that holds the current position into the internal buffer.</summary>
    private void FillBuffer(CancellationToken cancellationToken)
    {
        long element = _firstElement + (_position / _bytesPerElement);
        long chunkStart = Math.Max(_firstElement, _gridBase + ((element - _gridBase) / _chunkElements * _chunkElements));
        long chunkEnd = Math.Min(_gridBase + ((element - _gridBase) / _chunkElements * _chunkElements) + _chunkElements, _firstElement
            + _elementCount);
        _buffer ??= GC.AllocateUninitializedArray<byte>((int)(_chunkElements * _bytesPerElement));

        // Invalidate first: a cancelled decode leaves the buffer half written.
        _bufferLength = 0;
        ParallelDecoder.Decode(_source, chunkStart, chunkEnd - chunkStart, _buffer, _format, _threads, cancellationToken);
        _bufferStart = (chunkStart - _firstElement) * _bytesPerElement;
        _bufferLength = (int)((chunkEnd - chunkStart) * _bytesPerElement);
    }
}
