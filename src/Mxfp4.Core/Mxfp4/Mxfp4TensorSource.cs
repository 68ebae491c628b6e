using Mxfp4.Core.Numerics;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Core.Mxfp4;

/// <summary>
/// An MXFP4 tensor read straight from mapped files: <see cref="GroupCount"/> 16-byte blocks at an absolute offset of
/// one file and as many scale bytes at an absolute offset of another (or the same) file, as when a checkpoint's
/// blocks and scales land in different shards. Data is read through windows of at most one decode call, so tensors
/// beyond 2^31 elements and offsets beyond 4 GiB need no giant span. The files are not owned: keep them open
/// while the source is in use.
/// </summary>
public sealed class Mxfp4TensorSource : TensorSource
{
    public Mxfp4TensorSource(MappedFile blocksFile, long blocksOffset, MappedFile scalesFile, long scalesOffset, long groupCount)
    {
        ArgumentNullException.ThrowIfNull(blocksFile);
        ArgumentNullException.ThrowIfNull(scalesFile);
        ArgumentOutOfRangeException.ThrowIfNegative(groupCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(groupCount, long.MaxValue / Mxfp4Format.BlockElements);
        CheckWindow(blocksFile, blocksOffset, groupCount, Mxfp4Format.BlockBytes, nameof(blocksOffset));
        CheckWindow(scalesFile, scalesOffset, groupCount, 1, nameof(scalesOffset));
        BlocksFile = blocksFile;
        BlocksOffset = blocksOffset;
        ScalesFile = scalesFile;
        ScalesOffset = scalesOffset;
        GroupCount = groupCount;
    }

    public MappedFile BlocksFile { get; }

    public long BlocksOffset { get; }

    public MappedFile ScalesFile { get; }

    public long ScalesOffset { get; }

    /// <summary>Scale groups (blocks) in the tensor.</summary>
    public long GroupCount { get; }

    public override long ElementCount => GroupCount * Mxfp4Format.BlockElements;

    public override int ElementAlignment => Mxfp4Format.BlockElements;

    protected override void DecodeCore(long firstElement, int count, Span<byte> destination, OutputFormat format)
    {
        var (firstGroup, groups, skip) = Mxfp4GroupRange.Covering(firstElement, count);
        Mxfp4GroupRange.Decode(
            BlocksFile.GetSpan(BlocksOffset + (firstGroup * Mxfp4Format.BlockBytes), groups * Mxfp4Format.BlockBytes),
            ScalesFile.GetSpan(ScalesOffset + firstGroup, groups),
            skip,
            count,
            destination,
            format);
    }

    private static void CheckWindow(MappedFile file, long offset, long groupCount, int bytesPerGroup, string parameterName)
    {
        if (offset < 0 || offset > file.Length || groupCount > (file.Length - offset) / bytesPerGroup)
        {
            throw new ArgumentOutOfRangeException(parameterName,
                $"{groupCount} groups of {bytesPerGroup} bytes at offset {offset} lie outside '{file.Path}' ({file.Length} bytes).");
        }
    }
}
