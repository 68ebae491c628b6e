using Mxfp4.Core.Formats;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Core.Tensors;

/// <summary>
/// The one storage view of an MXFP4 tensor's bytes: <see cref="GroupCount"/> 16-byte blocks and as many scale bytes,
/// either at absolute offsets of mapped files (blocks and scales may live in different shards) or in memory. Data is
/// read through windows of whole groups, so tensors beyond 2^31 elements and offsets beyond 4 GiB need no giant span.
/// Nothing is copied or owned: files stay open and memory unchanged while the view is in use.
/// </summary>
public sealed class Mxfp4Storage
{
    private readonly MappedFile? _blocksFile;
    private readonly MappedFile? _scalesFile;
    private readonly long _blocksOffset;
    private readonly long _scalesOffset;
    private readonly ReadOnlyMemory<byte> _blocks;
    private readonly ReadOnlyMemory<byte> _scales;

    private Mxfp4Storage(
        MappedFile? blocksFile,
        long blocksOffset,
        MappedFile? scalesFile,
        long scalesOffset,
        ReadOnlyMemory<byte> blocks,
        ReadOnlyMemory<byte> scales,
        long groupCount)
    {
        _blocksFile = blocksFile;
        _blocksOffset = blocksOffset;
        _scalesFile = scalesFile;
        _scalesOffset = scalesOffset;
        _blocks = blocks;
        _scales = scales;
        GroupCount = groupCount;
    }

    /// <summary>Scale groups (blocks) in the view.</summary>
    public long GroupCount { get; }

    /// <summary>Blocks at <paramref name="blocksOffset"/> of a file, scales at <paramref name="scalesOffset"/> of it or another.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The groups lie outside a file, or the count is negative or too large.</exception>
    public static Mxfp4Storage InFiles(MappedFile blocksFile, long blocksOffset, MappedFile scalesFile, long scalesOffset, long groupCount)
    {
        ArgumentNullException.ThrowIfNull(blocksFile);
        ArgumentNullException.ThrowIfNull(scalesFile);
        ArgumentOutOfRangeException.ThrowIfNegative(groupCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(groupCount, long.MaxValue / Mxfp4Format.BlockElements);
        CheckWindow(blocksFile, blocksOffset, groupCount, Mxfp4Format.BlockBytes, nameof(blocksOffset));
        CheckWindow(scalesFile, scalesOffset, groupCount, 1, nameof(scalesOffset));
        return new Mxfp4Storage(blocksFile, blocksOffset, scalesFile, scalesOffset, default, default, groupCount);
    }

    /// <summary>Blocks and scales already in memory: 16 block bytes per scale byte.</summary>
    /// <exception cref="ArgumentException">The lengths do not describe the same number of groups.</exception>
    public static Mxfp4Storage InMemory(ReadOnlyMemory<byte> blocks, ReadOnlyMemory<byte> scales)
    {
        if ((long)blocks.Length != (long)scales.Length * Mxfp4Format.BlockBytes)
        {
            throw new ArgumentException(
                $"Expected {(long)scales.Length * Mxfp4Format.BlockBytes} block bytes for {scales.Length} scales, "
                    + $"got {blocks.Length}.",
                nameof(blocks));
        }

        return new Mxfp4Storage(null, 0, null, 0, blocks, scales, scales.Length);
    }

    /// <summary>Groups [firstGroup, firstGroup + groupCount) as a view of their own.</summary>
    public Mxfp4Storage Slice(long firstGroup, long groupCount)
    {
        CheckRange(firstGroup, groupCount);
        if (_blocksFile is null)
        {
            var blocks = _blocks.Slice((int)firstGroup * Mxfp4Format.BlockBytes, (int)groupCount * Mxfp4Format.BlockBytes);
            return new Mxfp4Storage(null, 0, null, 0, blocks, _scales.Slice((int)firstGroup, (int)groupCount), groupCount);
        }

        long blocksOffset = _blocksOffset + (firstGroup * Mxfp4Format.BlockBytes);
        return new Mxfp4Storage(_blocksFile, blocksOffset, _scalesFile, _scalesOffset + firstGroup, default, default, groupCount);
    }

    /// <summary>The blocks (16 bytes a group) and scales of groups [firstGroup, firstGroup + groupCount).</summary>
    public void GetGroups(long firstGroup, int groupCount, out ReadOnlySpan<byte> blocks, out ReadOnlySpan<byte> scales)
    {
        CheckRange(firstGroup, groupCount);
        int blockBytes = checked(groupCount * Mxfp4Format.BlockBytes);
        if (_blocksFile is not null)
        {
            blocks = _blocksFile.GetSpan(_blocksOffset + (firstGroup * Mxfp4Format.BlockBytes), blockBytes);
            scales = _scalesFile!.GetSpan(_scalesOffset + firstGroup, groupCount);
        }
        else
        {
            blocks = _blocks.Span.Slice((int)firstGroup * Mxfp4Format.BlockBytes, blockBytes);
            scales = _scales.Span.Slice((int)firstGroup, groupCount);
        }
    }

    private void CheckRange(long firstGroup, long groupCount)
    {
        if (firstGroup < 0 || groupCount < 0 || firstGroup > GroupCount - groupCount)
        {
            throw new ArgumentOutOfRangeException(
                nameof(firstGroup), $"Groups [{firstGroup}, {firstGroup + groupCount}) lie outside the {GroupCount} groups.");
        }
    }

    private static void CheckWindow(MappedFile file, long offset, long groupCount, int bytesPerGroup, string parameterName)
    {
        if (offset < 0 || offset > file.Length || groupCount > (file.Length - offset) / bytesPerGroup)
        {
            throw new ArgumentOutOfRangeException(
                parameterName,
                $"{groupCount} groups of {bytesPerGroup} bytes at offset {offset} lie outside '{file.Path}' ({file.Length} bytes).");
        }
    }
}
