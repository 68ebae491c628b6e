using Mxfp4.Core.Formats;
using Mxfp4.Core.Quantization;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;
using FloatMemoryTensorSource = Mxfp4.Core.Tensors.FloatTensorSource;

namespace Mxfp4.Core.Conversion;

/// <summary>
/// Writes the planned halves of encoded tensors through a shard's <see cref="WritePipeline"/>: the input is read in
/// chunks with read calls (<see cref="ShardInput"/>: a shard truncated meanwhile is an error, never a SIGBUS), the
/// blocks stream out through the pipeline's buffers, and the scales, one byte per 32 elements, are kept for the scales
/// tensor that follows. Expert tensors in transformers' layout are transposed one expert at a time, so two
/// expert-sized buffers bound the extra memory, as in the decoding direction.
/// </summary>
internal sealed class QuantizingWriter(ShardInput input, int threads, CancellationToken cancellationToken)
{
    private readonly Dictionary<string, long> _nonFinite = new(StringComparer.Ordinal);
    private byte[] _read = [];
    private byte[] _scales = [];
    private string? _scalesOf;
    private byte[] _expert = [];
    private byte[] _transposed = [];

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

    /// <summary>Reads the tensor a pipeline buffer's worth of input at a time and encodes each piece.</summary>
    private long WriteReadBlocks(QuantizedTensor tensor, WritePipeline pipeline, Action<long> report)
    {
        int blockBytes = Mxfp4Format.BlockElements * DTypeTable.BitSize(tensor.Source.DType) / 8;
        long chunkBlocks = Math.Max(1, pipeline.Buffer.Length / blockBytes);
        if (_read.Length < chunkBlocks * blockBytes)
        {
            _read = GC.AllocateUninitializedArray<byte>(checked((int)(chunkBlocks * blockBytes)));
        }

        long nonFinite = 0;
        for (long first = 0; first < tensor.BlockCount; first += chunkBlocks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int bytes = checked((int)(Math.Min(chunkBlocks, tensor.BlockCount - first) * blockBytes));
            input.Read(tensor.Source, tensor.Source.DataOffset + (first * blockBytes), _read.AsSpan(0, bytes));
            var source = new FloatMemoryTensorSource(_read.AsMemory(0, bytes), tensor.Source.DType);
            nonFinite += WriteBlocks(source, first, tensor, pipeline, report);
        }

        return nonFinite;
    }

    /// <summary>Encodes all blocks of <paramref name="source"/>, whose scales go to the kept scales from <paramref name="scalesOffset"/>
    /// on.</summary>
    private long WriteBlocks(TensorSource source, long scalesOffset, QuantizedTensor tensor, WritePipeline pipeline, Action<long> report)
    {
        long blockCount = source.ElementCount / Mxfp4Format.BlockElements;
        long chunkBlocks = pipeline.Buffer.Length / Mxfp4Format.BlockBytes;
        long nonFinite = 0;
        for (long first = 0; first < blockCount; first += chunkBlocks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = (int)Math.Min(chunkBlocks, blockCount - first);
            int length = count * Mxfp4Format.BlockBytes;
            var scales = _scales.AsSpan(checked((int)(scalesOffset + first)), count);
            nonFinite += ParallelEncoder.Encode(source, first, count, pipeline.Buffer.AsSpan(0, length), scales, tensor.Rule, threads, null,
                cancellationToken);
            pipeline.Submit(length, () => report(length));
        }

        return nonFinite;
    }

    /// <summary>Each expert [in, out] is read whole, transposed to [out, in] and encoded along in.</summary>
    private long WriteTransposedBlocks(QuantizedTensor tensor, WritePipeline pipeline, Action<long> report)
    {
        var shape = tensor.Source.Shape;
        int rows = checked((int)shape[1]);
        int columns = checked((int)shape[2]);
        int elementBytes = DTypeTable.BitSize(tensor.Source.DType) / 8;
        int expertBytes = checked(rows * columns * elementBytes);
        if (_expert.Length < expertBytes)
        {
            _expert = GC.AllocateUninitializedArray<byte>(expertBytes);
            _transposed = GC.AllocateUninitializedArray<byte>(expertBytes);
        }

        long expertBlocks = (long)rows * columns / Mxfp4Format.BlockElements;
        long nonFinite = 0;
        for (long e = 0; e < shape[0]; e++)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // The pipeline may still be writing from its other buffer, never from these.
            input.Read(tensor.Source, tensor.Source.DataOffset + (e * expertBytes), _expert.AsSpan(0, expertBytes));
            ExpertTranspose.Transpose(
                _expert.AsSpan(0, expertBytes), _transposed.AsSpan(0, expertBytes), rows, columns, elementBytes, threads);
            var source = new FloatMemoryTensorSource(_transposed.AsMemory(0, expertBytes), tensor.Source.DType);
            nonFinite += WriteBlocks(source, e * expertBlocks, tensor, pipeline, report);
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
