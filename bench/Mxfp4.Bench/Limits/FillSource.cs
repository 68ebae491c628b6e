using Mxfp4.Core.Decoding;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Tensors;

namespace Mxfp4.Bench.Limits;

/// <summary>
/// A tensor whose "decoding" is a memset: run through <see cref="ParallelDecoder"/> it measures the decoder's own
/// ceiling (partitioning, chunking, staging, stores) independent of any kernel's speed.
/// </summary>
internal sealed class FillSource(long elementCount) : TensorSource
{
    public override long ElementCount => elementCount;

    public override int ElementAlignment => Mxfp4Format.BlockElements;

    protected override void DecodeCore(long firstElement, int count, Span<byte> destination, OutputFormat format) => destination.Fill(0x3C);
}
