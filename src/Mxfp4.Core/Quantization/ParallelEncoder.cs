using System.Runtime.InteropServices;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;
using Mxfp4.Core.Threading;

namespace Mxfp4.Core.Quantization;

/// <summary>
/// Encodes whole blocks of a floating <see cref="TensorSource"/> (any dtype it decodes, read as float32) to MXFP4 on
/// the pinned workers of <see cref="WorkerPool.Shared"/>: one static contiguous range of blocks per worker, in chunks
/// of <see cref="ChunkBlocks"/> blocks, checking for cancellation between chunks. BF16 and F32 tensors in memory are
/// encoded where they lie (BF16 by <see cref="Mxfp4Encoder.EncodeBFloat16"/>, never widened where the hardware allows);
/// other sources are decoded chunk by chunk into a per-thread float32 buffer that stays in cache. The output never
/// depends on the thread count.
/// </summary>
public static class ParallelEncoder
{
    /// <summary>Blocks a worker encodes between cancellation checks: 128 KiB of float32 input, which stays in L2.</summary>
    public const int ChunkBlocks = 1024;

    /// <summary>Each thread's float32 input buffer, kept for the thread's life so encoding allocates nothing per call.</summary>
    [ThreadStatic]
    private static float[]? t_values;

    /// <summary>Below this many blocks per worker, waking another thread costs more than it saves.</summary>
    internal const long MinBlocksPerWorker = 2048;

    /// <summary>
    /// Encodes blocks [<paramref name="firstBlock"/>, +<paramref name="blockCount"/>) of <paramref name="source"/> (32
    /// elements each) into <paramref name="blocks"/> (16 bytes a block) and <paramref name="scales"/> (one byte a block)
    /// on up to <paramref name="threads"/> workers (0 = all). Adds the encoding error to <paramref name="statistics"/>
    /// when given. Returns how many blocks held NaN or ±Inf. Throws <see cref="OperationCanceledException"/> if
    /// cancelled; the outputs then hold a partial result.
    /// </summary>
    public static unsafe long Encode(TensorSource source, long firstBlock, long blockCount, Span<byte> blocks, Span<byte> scales,
        ScaleRule rule, int threads, QuantizationError? statistics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (blocks.Length / Mxfp4Format.BlockBytes < blockCount || scales.Length < blockCount)
        {
            throw new ArgumentException(
                $"Outputs of {blocks.Length} block bytes and {scales.Length} scales are too small for {blockCount} blocks.");
        }

        fixed (byte* blocksPointer = blocks)
        fixed (byte* scalesPointer = scales)
        {
            return Encode(WorkerPool.Shared, source, firstBlock, blockCount, blocksPointer, scalesPointer, rule, threads, statistics,
                cancellationToken);
        }
    }

    /// <summary>As above, into native memory (outputs beyond 2 GiB), on a given pool.</summary>
    internal static unsafe long Encode(WorkerPool pool, TensorSource source, long firstBlock, long blockCount, byte* blocks, byte* scales,
        ScaleRule rule, int threads, QuantizationError? statistics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        if (source.ElementCount % Mxfp4Format.BlockElements != 0)
        {
            throw new ArgumentException(
                $"A tensor of {source.ElementCount} elements is not made of whole blocks of {Mxfp4Format.BlockElements}.", nameof(source));
        }

        source.CheckRange(firstBlock * Mxfp4Format.BlockElements, blockCount * Mxfp4Format.BlockElements);
        cancellationToken.ThrowIfCancellationRequested();
        if (blockCount == 0)
        {
            return 0;
        }

        var job = new EncodeJob(source, firstBlock, blockCount, blocks, scales, rule, statistics, cancellationToken);
        int workers = Math.Clamp(threads == 0 ? pool.ThreadCount : threads, 1, pool.ThreadCount);
        job.Workers = (int)Math.Min(workers, Math.Max(1, blockCount / MinBlocksPerWorker));
        pool.Run(job.Workers, job.RunPart);
        cancellationToken.ThrowIfCancellationRequested();
        return job.NonFinite;
    }

    /// <summary>One call's state, shared by its workers (spans cannot be captured, so the outputs are pointers).</summary>
    private sealed unsafe class EncodeJob(TensorSource source, long first, long count, byte* blocks, byte* scales, ScaleRule rule,
        QuantizationError? statistics, CancellationToken cancellationToken)
    {
        private long _nonFinite;

        public int Workers { get; set; }

        public long NonFinite => Interlocked.Read(ref _nonFinite);

        public void RunPart(int index)
        {
            var (start, end) = Partition.Range(count, Workers, index);
            var values = t_values ??= GC.AllocateUninitializedArray<float>(ChunkBlocks * Mxfp4Format.BlockElements);
            var partStatistics = statistics is null ? null : new QuantizationError();
            long nonFinite = 0;
            for (long position = start; position < end; position += ChunkBlocks)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                int n = (int)Math.Min(ChunkBlocks, end - position);
                long firstElement = (first + position) * Mxfp4Format.BlockElements;
                int elements = n * Mxfp4Format.BlockElements;
                var blockBytes = new Span<byte>(blocks + (position * Mxfp4Format.BlockBytes), n * Mxfp4Format.BlockBytes);
                var scaleBytes = new Span<byte>(scales + position, n);
                if (source is FloatTensorSource { DType: SafetensorsDType.BF16 } bfloat16)
                {
                    nonFinite += Mxfp4Encoder.EncodeBFloat16(
                        MemoryMarshal.Cast<byte, ushort>(bfloat16.Bytes(firstElement, elements)), blockBytes, scaleBytes, rule);
                    if (partStatistics is not null)
                    {
                        var input = values.AsSpan(0, elements);
                        source.Decode(firstElement, elements, MemoryMarshal.AsBytes(input), OutputFormat.F32);
                        partStatistics.Add(input, blockBytes, scaleBytes);
                    }
                }
                else if (source is FloatTensorSource { DType: SafetensorsDType.F32 } single)
                {
                    var input = MemoryMarshal.Cast<byte, float>(single.Bytes(firstElement, elements));
                    nonFinite += Mxfp4Encoder.Encode(input, blockBytes, scaleBytes, rule);
                    partStatistics?.Add(input, blockBytes, scaleBytes);
                }
                else
                {
                    var input = values.AsSpan(0, elements);
                    source.Decode(firstElement, elements, MemoryMarshal.AsBytes(input), OutputFormat.F32);
                    nonFinite += Mxfp4Encoder.Encode(input, blockBytes, scaleBytes, rule);
                    partStatistics?.Add(input, blockBytes, scaleBytes);
                }
            }

            Interlocked.Add(ref _nonFinite, nonFinite);
            if (partStatistics is not null)
            {
                statistics!.Merge(partStatistics);
            }
        }
    }
}
