using Mxfp4.Core.Numerics;

namespace Mxfp4.Core.Formats;

/// <summary>
/// Decodes an element range that may start or end inside a group: whole groups go straight to
/// <see cref="Mxfp4Kernels"/>, a partial first or last group is decoded into a stack buffer and the wanted part copied.
/// </summary>
internal static class Mxfp4GroupRange
{
    private const int MaxBytesPerElement = 4;

    /// <summary>
    /// <paramref name="blocks"/> and <paramref name="scales"/> hold exactly the groups the range touches; the range
    /// starts <paramref name="skip"/> elements into the first of them and is <paramref name="count"/> elements long.
    /// </summary>
    public static void Decode(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, int skip, int count, Span<byte> destination,
        OutputFormat format)
    {
        int bytesPerElement = format.BytesPerElement();
        int group = 0;
        if (skip != 0 || count < Mxfp4Format.BlockElements)
        {
            int taken = Math.Min(count, Mxfp4Format.BlockElements - skip);
            DecodePartial(blocks[..Mxfp4Format.BlockBytes], scales[0], skip, taken, destination, format);
            destination = destination[(taken * bytesPerElement)..];
            count -= taken;
            group = 1;
        }

        int wholeGroups = count / Mxfp4Format.BlockElements;
        if (wholeGroups != 0)
        {
            int wholeBytes = wholeGroups * Mxfp4Format.BlockElements * bytesPerElement;
            Mxfp4Kernels.Dequantize(
                blocks.Slice(group * Mxfp4Format.BlockBytes, wholeGroups * Mxfp4Format.BlockBytes),
                scales.Slice(group, wholeGroups),
                destination[..wholeBytes],
                format);
            destination = destination[wholeBytes..];
            count -= wholeGroups * Mxfp4Format.BlockElements;
            group += wholeGroups;
        }

        if (count != 0)
        {
            DecodePartial(blocks.Slice(group * Mxfp4Format.BlockBytes, Mxfp4Format.BlockBytes), scales[group], 0, count, destination,
                format);
        }
    }

    /// <summary>Groups [first, end) a range of <paramref name="count"/> elements from <paramref name="firstElement"/> touches.</summary>
    public static (long FirstGroup, int GroupCount, int Skip) Covering(long firstElement, int count)
    {
        long firstGroup = firstElement / Mxfp4Format.BlockElements;
        long endGroup = (firstElement + count + Mxfp4Format.BlockElements - 1) / Mxfp4Format.BlockElements;
        return (firstGroup, (int)(endGroup - firstGroup), (int)(firstElement % Mxfp4Format.BlockElements));
    }

    private static void DecodePartial(ReadOnlySpan<byte> block, byte scale, int skip, int taken, Span<byte> destination,
        OutputFormat format)
    {
        int bytesPerElement = format.BytesPerElement();
        Span<byte> whole = stackalloc byte[Mxfp4Format.BlockElements * MaxBytesPerElement];
        whole = whole[..(Mxfp4Format.BlockElements * bytesPerElement)];
        Mxfp4Kernels.Dequantize(block, new ReadOnlySpan<byte>(in scale), whole, format);
        whole.Slice(skip * bytesPerElement, taken * bytesPerElement).CopyTo(destination);
    }
}
