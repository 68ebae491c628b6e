using Mxfp4.Core.Formats;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Tensors;
using Mxfp4.Core.Threading;

namespace Mxfp4.Core.Decoding;

/// <summary>
/// Decodes a range of a <see cref="TensorSource"/> on the pinned workers of <see cref="WorkerPool.Shared"/>: the range
/// is cut into one static contiguous part per worker, each part starting on a group boundary and a 64-byte line of
/// output (relative to the destination, so on a line of memory when the destination is 64-byte aligned), and each
/// worker decodes its part in chunks of about <see cref="ChunkBytes"/> of output, checking for cancellation between
/// chunks. The bytes produced never depend on the thread count. Outputs of at least 32 MiB are written with streaming
/// (non-temporal) stores; smaller ones, like a stream's buffer or a converter's chunk, with ordinary stores so they
/// are still in cache when the consumer reads them.
/// </summary>
public static class ParallelDecoder
{
    /// <summary>Output bytes a worker decodes between cancellation checks; small enough to stay in L2 on the way out.</summary>
    public const int ChunkBytes = 128 * 1024;

    /// <summary>Below this much output per worker, waking another thread costs more than it saves.</summary>
    internal const long MinBytesPerWorker = 64 * 1024;

    /// <summary>
    /// Outputs at least this big (the last-level cache of the machines we measure: a bigger output cannot be read
    /// back from cache anyway) are written with streaming stores: MXFP4 groups straight from the kernel's registers
    /// where the output lines allow, anything else through an L1 staging buffer. Re-decided against glibc memset
    /// (issue 15) on a 2-core AVX-512 machine, out of cache, 2 threads, with the lookup kernel: F32/BF16/F16 at
    /// 0.99/1.01/0.96x memset with streaming stores against 0.87/0.80/0.79x with cached ones (full limits run), and
    /// 1.29/1.36/1.40x the cached stores' throughput in a run where memory was faster (55.7/52.0/51.9 GB/s); cached
    /// stores cannot pass 0.84-0.89x of memset even for a source that only fills, since every line is first read for
    /// ownership. Tests lower it to exercise the path on small outputs.
    /// </summary>
    internal static long StreamingThresholdBytes { get; set; } = 32L << 20;

    /// <summary>Decoded bytes staged in L1 before a streaming copy out.</summary>
    internal const int StagingBytes = 16 * 1024;

    private const int CacheLineBytes = 64;

    /// <summary>The thread count "all threads" means: every worker of the shared pool.</summary>
    public static int MaxThreads => WorkerPool.Shared.ThreadCount;

    /// <summary>
    /// Decodes elements [<paramref name="firstElement"/>, +<paramref name="count"/>) into <paramref name="destination"/>
    /// (at least count × bytes-per-element long) on up to <paramref name="threads"/> workers (0 = all; more than the pool
    /// has are clamped). Throws <see cref="OperationCanceledException"/> if cancelled; the destination then holds a
    /// partial result.
    /// </summary>
    public static void Decode(TensorSource source, long firstElement, long count, Span<byte> destination, OutputFormat format, int threads,
        CancellationToken cancellationToken)
        => Decode(WorkerPool.Shared, source, firstElement, count, destination, format, threads, cancellationToken);

    /// <summary>
    /// As <see cref="Decode(TensorSource, long, long, Span{byte}, OutputFormat, int, CancellationToken)"/>, into native
    /// memory of <paramref name="destinationLength"/> bytes, for outputs beyond 2 GiB.
    /// </summary>
    public static unsafe void Decode(TensorSource source, long firstElement, long count, byte* destination, long destinationLength,
        OutputFormat format, int threads, CancellationToken cancellationToken)
        => Decode(WorkerPool.Shared, source, firstElement, count, destination, destinationLength, format, threads, cancellationToken);

    /// <summary>As the public overloads, on a given pool (tests use pools wider than the machine to exercise more parts).</summary>
    internal static unsafe void Decode(WorkerPool pool, TensorSource source, long firstElement, long count, Span<byte> destination,
        OutputFormat format, int threads, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        source.CheckRange(firstElement, count);
        fixed (byte* pointer = destination)
        {
            Decode(pool, source, firstElement, count, pointer, destination.Length, format, threads, cancellationToken);
        }
    }

    internal static unsafe void Decode(WorkerPool pool, TensorSource source, long firstElement, long count, byte* destination,
        long destinationLength, OutputFormat format, int threads, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        source.CheckRange(firstElement, count);
        int bytesPerElement = format.BytesPerElement();
        if (count > destinationLength / bytesPerElement)
        {
            throw new ArgumentException($"Destination of {destinationLength} bytes is too small for {count} {format} elements.",
                nameof(destinationLength));
        }

        if (destination == null && count != 0)
        {
            throw new ArgumentNullException(nameof(destination));
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (count == 0)
        {
            return;
        }

        var job = new DecodeJob(source, firstElement, count, destination, format, cancellationToken);
        int workers = Math.Clamp(threads == 0 ? pool.ThreadCount : threads, 1, pool.ThreadCount);
        long maxUseful = Math.Max(1, count * bytesPerElement / MinBytesPerWorker);
        job.Workers = (int)Math.Min(workers, maxUseful);
        pool.Run(job.Workers, job.RunPart);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Elements per partition unit: a whole number of source alignment units (groups) and of 64-byte output lines.
    /// </summary>
    internal static long PartitionUnit(TensorSource source, OutputFormat format)
    {
        long lineElements = Math.Max(1, CacheLineBytes / format.BytesPerElement());
        long alignment = Math.Max(1, source.ElementAlignment);
        return alignment / GreatestCommonDivisor(alignment, lineElements) * lineElements;
    }

    private static long GreatestCommonDivisor(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    /// <summary>One call's state, shared read-only by its workers (a span cannot be captured, so the output is a pointer).</summary>
    private sealed unsafe class DecodeJob
    {
        private readonly TensorSource _source;
        private readonly long _first;
        private readonly long _count;
        private readonly byte* _destination;
        private readonly OutputFormat _format;
        private readonly CancellationToken _cancellationToken;
        private readonly long _unit;
        private readonly long _gridBase;
        private readonly long _chunkElements;
        private readonly bool _streaming;

        public DecodeJob(TensorSource source, long first, long count, byte* destination, OutputFormat format,
            CancellationToken cancellationToken)
        {
            _source = source;
            _first = first;
            _count = count;
            _destination = destination;
            _format = format;
            _cancellationToken = cancellationToken;
            _unit = PartitionUnit(source, format);

            // Boundaries sit on absolute multiples of the unit, so a range starting mid-group cuts no further groups.
            _gridBase = first - (first % _unit);
            _chunkElements = Math.Max(1, ChunkBytes / format.BytesPerElement() / _unit) * _unit;
            _streaming = count * format.BytesPerElement() >= StreamingThresholdBytes;
        }

        public int Workers { get; set; }

        public void RunPart(int index)
        {
            var (start, end) = Partition.Range(_first + _count - _gridBase, Workers, index, _unit);
            start = Math.Max(start + _gridBase, _first);
            end += _gridBase;
            int bytesPerElement = _format.BytesPerElement();
            long position = start;
            try
            {
                while (position < end && !_cancellationToken.IsCancellationRequested)
                {
                    // The first chunk of a part that starts mid-unit ends on the next unit boundary; later ones are whole.
                    int elements = (int)Math.Min(end - position, _chunkElements - ((position - _gridBase) % _unit));
                    byte* output = _destination + ((position - _first) * bytesPerElement);
                    if (_streaming)
                    {
                        DecodeStreaming(position, elements, output);
                    }
                    else
                    {
                        _source.Decode(position, elements, new Span<byte>(output, elements * bytesPerElement), _format);
                    }

                    position += elements;
                }
            }
            finally
            {
                // Also on cancellation or a failure: whatever was streamed is in memory before the caller sees the part end.
                if (_streaming)
                {
                    StreamingStore.Fence();
                }
            }
        }

        /// <summary>
        /// Streams a chunk out: whole MXFP4 groups to a line-aligned output straight from the kernel's registers;
        /// anything else piecewise through an L1-resident buffer, copied out with streaming stores.
        /// </summary>
        private void DecodeStreaming(long position, int elements, byte* output)
        {
            if (_source is Mxfp4TensorSource mxfp4 && position % Mxfp4Format.BlockElements == 0
                && elements % Mxfp4Format.BlockElements == 0 && Mxfp4Kernels.CanWriteNonTemporal(output))
            {
                mxfp4.Storage.GetGroups(position / Mxfp4Format.BlockElements, elements / Mxfp4Format.BlockElements, out var blocks,
                    out var scales);
                Mxfp4Kernels.DequantizeNonTemporal(blocks, scales, output, _format);
                return;
            }

            int bytesPerElement = _format.BytesPerElement();
            Span<byte> staging = stackalloc byte[StagingBytes];
            int pieceElements = (int)Math.Max(_unit, StagingBytes / bytesPerElement / _unit * _unit);
            staging = staging[..Math.Min(staging.Length, pieceElements * bytesPerElement)];
            while (elements > 0)
            {
                int piece = Math.Min(elements, staging.Length / bytesPerElement);
                var decoded = staging[..(piece * bytesPerElement)];
                _source.Decode(position, piece, decoded, _format);
                StreamingStore.Copy(decoded, output);
                output += decoded.Length;
                position += piece;
                elements -= piece;
            }
        }
    }
}
