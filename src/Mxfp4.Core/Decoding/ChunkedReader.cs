using Mxfp4.Core.Formats;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Tensors;

namespace Mxfp4.Core.Decoding;

/// <summary>
/// Decodes a tensor slice chunk by chunk, so that a stream of chunks or a copy into a file never holds more than one
/// chunk, and progress and cancellation are honoured between chunks (the decoder also checks cancellation inside one).
/// </summary>
public sealed class ChunkedReader
{
    /// <summary>The chunk size of a stream of byte arrays: small enough that a consumer holding a few costs little.</summary>
    public const int ByteStreamChunkBytes = 4 << 20;

    /// <summary>The chunk size of a copy into a file or into memory: large enough to keep every decoder thread busy.</summary>
    public const int CopyChunkBytes = 16 << 20;

    private readonly TensorSource _source;
    private readonly int _threads;

    /// <param name="threads">Decoder threads per chunk (0 = all).</param>
    public ChunkedReader(TensorSource source, TensorSlice slice, OutputFormat format, int threads)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(slice);
        _ = format.BytesPerElement();
        _source = source;
        Slice = slice;
        Format = format;
        _threads = threads;
    }

    /// <summary>Receives one decoded chunk; the span is only valid during the call.</summary>
    public delegate void ChunkWriter(ReadOnlySpan<byte> chunk);

    public TensorSlice Slice { get; }

    public OutputFormat Format { get; }

    /// <summary>The bytes of the whole slice in <see cref="Format"/>.</summary>
    public long ByteCount => Slice.ElementCount * Format.BytesPerElement();

    /// <summary>
    /// Elements in a chunk of at most <paramref name="chunkBytes"/> bytes: whole 32-element blocks, so no chunk
    /// splits a scale group.
    /// </summary>
    public static long ChunkElements(int chunkBytes, OutputFormat format)
    {
        long elements = chunkBytes / format.BytesPerElement() / Mxfp4Format.BlockElements * Mxfp4Format.BlockElements;
        return elements > 0
            ? elements
            : throw new ArgumentOutOfRangeException(
                nameof(chunkBytes), chunkBytes, $"A chunk must hold at least one block of {format} elements.");
    }

    /// <summary>The slice's ranges cut into chunks of at most <paramref name="chunkElements"/> elements, in order.</summary>
    public static IEnumerable<SliceChunk> Chunks(TensorSlice slice, long chunkElements)
    {
        ArgumentNullException.ThrowIfNull(slice);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkElements);
        long done = 0;
        foreach (var (first, count) in slice.Ranges)
        {
            for (long at = 0; at < count; at += chunkElements)
            {
                long n = Math.Min(chunkElements, count - at);
                yield return new SliceChunk(first + at, n, done);
                done += n;
            }
        }
    }

    /// <summary>
    /// Each chunk decoded into a new array (a consumer may still hold the previous one). <paramref name="progress"/>
    /// receives the elements done after the consumer has taken each chunk.
    /// </summary>
    public IEnumerable<byte[]> ReadChunks(int chunkBytes, Action<long>? progress, CancellationToken cancellationToken)
    {
        int elementBytes = Format.BytesPerElement();
        foreach (var chunk in Chunks(Slice, ChunkElements(chunkBytes, Format)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var bytes = new byte[chunk.Count * elementBytes];
            ParallelDecoder.Decode(_source, chunk.First, chunk.Count, bytes, Format, _threads, cancellationToken);
            yield return bytes;
            progress?.Invoke(chunk.Done + chunk.Count);
        }
    }

    /// <summary>
    /// Decodes the whole slice through one reused buffer of at most <paramref name="chunkBytes"/>, chunk by chunk
    /// into <paramref name="write"/>.
    /// </summary>
    public void CopyTo(ChunkWriter write, int chunkBytes, Action<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        int elementBytes = Format.BytesPerElement();
        long chunkElements = ChunkElements(chunkBytes, Format);
        var buffer = new byte[Math.Min(chunkElements, Slice.ElementCount) * elementBytes];
        foreach (var chunk in Chunks(Slice, chunkElements))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var bytes = buffer.AsSpan(0, (int)(chunk.Count * elementBytes));
            ParallelDecoder.Decode(_source, chunk.First, chunk.Count, bytes, Format, _threads, cancellationToken);
            write(bytes);
            progress?.Invoke(chunk.Done + chunk.Count);
        }
    }

    /// <summary>
    /// Decodes the whole slice into <paramref name="destination"/> (at least <see cref="ByteCount"/> bytes), chunk by
    /// chunk.
    /// </summary>
    public void DecodeInto(Span<byte> destination, int chunkBytes, Action<long>? progress, CancellationToken cancellationToken)
    {
        if (destination.Length < ByteCount)
        {
            throw new ArgumentException(
                $"Destination of {destination.Length} bytes is too small for {ByteCount} bytes.", nameof(destination));
        }

        int elementBytes = Format.BytesPerElement();
        foreach (var chunk in Chunks(Slice, ChunkElements(chunkBytes, Format)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var bytes = destination.Slice((int)(chunk.Done * elementBytes), (int)(chunk.Count * elementBytes));
            ParallelDecoder.Decode(_source, chunk.First, chunk.Count, bytes, Format, _threads, cancellationToken);
            progress?.Invoke(chunk.Done + chunk.Count);
        }
    }
}
