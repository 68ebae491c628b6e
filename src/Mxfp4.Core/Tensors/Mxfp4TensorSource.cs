using Mxfp4.Core.Formats;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Core.Tensors;

/// <summary>An MXFP4 tensor decoded from its <see cref="Mxfp4Storage"/>, in mapped files or in memory.</summary>
public sealed class Mxfp4TensorSource : TensorSource
{
    public Mxfp4TensorSource(Mxfp4Storage storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        Storage = storage;
    }

    /// <summary>Blocks at an absolute offset of one mapped file, scales at an offset of another (or the same), not owned.</summary>
    public Mxfp4TensorSource(MappedFile blocksFile, long blocksOffset, MappedFile scalesFile, long scalesOffset, long groupCount)
        : this(Mxfp4Storage.InFiles(blocksFile, blocksOffset, scalesFile, scalesOffset, groupCount))
    {
    }

    /// <summary>Blocks and scales already in memory (16 block bytes per scale byte); the memory is not copied.</summary>
    public Mxfp4TensorSource(ReadOnlyMemory<byte> blocks, ReadOnlyMemory<byte> scales)
        : this(Mxfp4Storage.InMemory(blocks, scales))
    {
    }

    public Mxfp4Storage Storage { get; }

    /// <summary>Scale groups (blocks) in the tensor.</summary>
    public long GroupCount => Storage.GroupCount;

    public override long ElementCount => GroupCount * Mxfp4Format.BlockElements;

    public override int ElementAlignment => Mxfp4Format.BlockElements;

    protected override void DecodeCore(long firstElement, int count, Span<byte> destination, OutputFormat format)
    {
        var (firstGroup, groups, skip) = Mxfp4GroupRange.Covering(firstElement, count);
        Storage.GetGroups(firstGroup, groups, out var blocks, out var scales);
        Mxfp4GroupRange.Decode(blocks, scales, skip, count, destination, format);
    }
}
