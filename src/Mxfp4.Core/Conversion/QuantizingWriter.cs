using Mxfp4.Core.Formats;
using Mxfp4.Core.Quantization;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;

namespace Mxfp4.Core.Conversion;

/// <summary>
/// Writes the planned halves of encoded tensors through a shard's <see cref="WritePipeline"/>: the workers of a
/// <see cref="ReadingEncoder"/> read the input with read calls (<see cref="ShardInput"/>: a shard truncated meanwhile is
/// an error, never a SIGBUS) and encode it into the pipeline's buffer while the previous buffer is being written; the
/// scales, one byte per 32 elements, are kept for the scales tensor that follows. Expert tensors in transformers'
/// layout are encoded along their input axis from tiles of 32 rows, with no transposed copy, so the extra memory is
/// one tile per worker in both layouts.
/// </summary>
internal sealed unsafe class QuantizingWriter(ShardInput input, int threads, CancellationToken cancellationToken)
{
    private readonly Dictionary<string, long> _nonFinite = new(StringComparer.Ordinal);
    private readonly ReadingEncoder _encoder = new(input, threads, cancellationToken);
    private byte[] _scales = [];
    private string? _scalesOf;

    /// <summary>Tensors that held NaN or ±Inf, with their count of such blocks.</summary>
    internal IReadOnlyDictionary<string, long> NonFiniteBlocks => _nonFinite;

    internal void Write(QuantizedTensor tensor, WritePipeline pipeline, Action<long> report)
    {
        if (tensor.IsScales)
        {
            WriteScales(tensor, pipeline, report);
            return;
        }

        _scalesOf = tensor.Source.Name;
        if (_scales.Length < tensor.BlockCount)
        {
            _scales = GC.AllocateUninitializedArray<byte>(checked((int)tensor.BlockCount));
        }

        long nonFinite = tensor.Transpose
            ? WriteTransposedBlocks(tensor, pipeline, report)
            : WriteReadBlocks(tensor, pipeline, report);
        if (nonFinite != 0)
        {
            _nonFinite[tensor.Source.Name] = nonFinite;
        }
    }

    /// <summary>A pipeline buffer's worth of blocks at a time, in the order they are stored.</summary>
    private long WriteReadBlocks(QuantizedTensor tensor, WritePipeline pipeline, Action<long> report)
    {
        long chunkBlocks = pipeline.Buffer.Length / Mxfp4Format.BlockBytes;
        long nonFinite = 0;
        for (long first = 0; first < tensor.BlockCount; first += chunkBlocks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = (int)Math.Min(chunkBlocks, tensor.BlockCount - first);
            int length = count * Mxfp4Format.BlockBytes;
            fixed (byte* blocks = pipeline.Buffer)
            fixed (byte* scales = _scales)
            {
                nonFinite += _encoder.EncodeRows(tensor, first, count, blocks, scales + first);
            }

            pipeline.Submit(length, () => report(length));
        }

        return nonFinite;
    }

    /// <summary>
    /// Each expert [in, out] becomes [out, in/32] blocks: as many whole output rows as a pipeline buffer holds at a time,
    /// or, where one row is more than that, a buffer's worth of one row's blocks.
    /// </summary>
    private long WriteTransposedBlocks(QuantizedTensor tensor, WritePipeline pipeline, Action<long> report)
    {
        var shape = tensor.Source.Shape;
        long outRows = shape[2];
        long groups = shape[1] / Mxfp4Format.BlockElements;
        long bufferBlocks = pipeline.Buffer.Length / Mxfp4Format.BlockBytes;
        long rowsPerChunk = Math.Max(1, bufferBlocks / groups);
        long bandsPerChunk = Math.Min(groups, bufferBlocks);
        long nonFinite = 0;
        for (long e = 0; e < shape[0]; e++)
        {
            for (long row = 0; row < outRows; row += rowsPerChunk)
            {
                long endRow = Math.Min(row + rowsPerChunk, outRows);
                for (long band = 0; band < groups; band += bandsPerChunk)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    long endBand = Math.Min(band + bandsPerChunk, groups);
                    int length = checked((int)((endRow - row) * (endBand - band) * Mxfp4Format.BlockBytes));
                    fixed (byte* blocks = pipeline.Buffer)
                    fixed (byte* scales = _scales)
                    {
                        nonFinite += _encoder.EncodeColumns(tensor, e, row, endRow, band, endBand, blocks, scales);
                    }

                    pipeline.Submit(length, () => report(length));
                }
            }
        }

        return nonFinite;
    }

    private void WriteScales(QuantizedTensor tensor, WritePipeline pipeline, Action<long> report)
    {
        if (!string.Equals(_scalesOf, tensor.Source.Name, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The scales of '{tensor.Source.Name}' are planned before its blocks.");
        }

        int total = checked((int)tensor.BlockCount);
        for (int first = 0; first < total; first += pipeline.Buffer.Length)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int length = Math.Min(pipeline.Buffer.Length, total - first);
            _scales.AsSpan(first, length).CopyTo(pipeline.Buffer);
            pipeline.Submit(length, () => report(length));
        }

        _scalesOf = null;
    }
}
