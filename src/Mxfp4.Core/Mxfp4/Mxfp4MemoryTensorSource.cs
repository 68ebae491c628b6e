using Mxfp4.Core.Numerics;

namespace Mxfp4.Core.Mxfp4;

/// <summary>
/// An MXFP4 tensor whose blocks and scales are already in memory (generated, downloaded, or read by other means):
/// 16 block bytes per scale byte. The memory is not copied; it must stay unchanged while the source is in use.
/// </summary>
public sealed class Mxfp4MemoryTensorSource : TensorSource
{
    private readonly ReadOnlyMemory<byte> _blocks;
    private readonly ReadOnlyMemory<byte> _scales;

    public Mxfp4MemoryTensorSource(ReadOnlyMemory<byte> blocks, ReadOnlyMemory<byte> scales)
    {
        if ((long)blocks.Length != (long)scales.Length * Mxfp4Format.BlockBytes)
        {
            throw new ArgumentException(
                $"Expected {(long)scales.Length * Mxfp4Format.BlockBytes} block bytes for {scales.Length} scales, got {blocks.Length}.",
                nameof(blocks));
        }

        _blocks = blocks;
        _scales = scales;
    }

    public override long ElementCount => (long)_scales.Length * Mxfp4Format.BlockElements;

    public override int ElementAlignment => Mxfp4Format.BlockElements;

    protected override void DecodeCore(long firstElement, int count, Span<byte> destination, OutputFormat format)
    {
        var (firstGroup, groups, skip) = Mxfp4GroupRange.Covering(firstElement, count);
        Mxfp4GroupRange.Decode(
            _blocks.Span.Slice((int)firstGroup * Mxfp4Format.BlockBytes, groups * Mxfp4Format.BlockBytes),
            _scales.Span.Slice((int)firstGroup, groups),
            skip,
            count,
            destination,
            format);
    }
}
