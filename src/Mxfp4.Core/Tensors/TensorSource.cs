using Mxfp4.Core.Numerics;

namespace Mxfp4.Core.Tensors;

/// <summary>
/// A tensor that can be decoded into an <see cref="OutputFormat"/>, piece by piece: the common input of
/// the parallel decoder, the dequantizing stream and the converter. Implementations are immutable
/// and <see cref="Decode"/> is safe to call from several threads at once on disjoint (or even overlapping) ranges.
/// </summary>
public abstract class TensorSource
{
    /// <summary>Logical elements in the tensor (for MXFP4: groups × 32).</summary>
    public abstract long ElementCount { get; }

    /// <summary>
    /// Decoding is most efficient on ranges that start and end on multiples of this many elements (32 for MXFP4, one
    /// scale group); other ranges are correct but decode their partial first and last units through a small buffer.
    /// </summary>
    public abstract int ElementAlignment { get; }

    /// <summary>
    /// Writes elements [<paramref name="firstElement"/>, <paramref name="firstElement"/> + <paramref name="count"/>)
    /// to <paramref name="destination"/> in <paramref name="format"/> (little-endian), on the calling thread.
    /// Any start and count inside the tensor are allowed; <paramref name="destination"/> must be at least
    /// count × <see cref="OutputFormats.BytesPerElement"/> bytes, and only that prefix is written.
    /// </summary>
    public void Decode(long firstElement, int count, Span<byte> destination, OutputFormat format)
    {
        CheckRange(firstElement, count);
        int bytesPerElement = format.BytesPerElement();
        if (destination.Length / bytesPerElement < count)
        {
            throw new ArgumentException($"Destination of {destination.Length} bytes is too small for {count} {format} elements.",
                nameof(destination));
        }

        if (count != 0)
        {
            DecodeCore(firstElement, count, destination[..(count * bytesPerElement)], format);
        }
    }

    /// <summary>Throws unless [<paramref name="firstElement"/>, +<paramref name="count"/>) lies inside the tensor.</summary>
    public void CheckRange(long firstElement, long count)
    {
        if (firstElement < 0 || count < 0 || firstElement > ElementCount - count)
        {
            throw new ArgumentOutOfRangeException(nameof(firstElement),
                $"Element range [{firstElement}, {firstElement + count}) lies outside the tensor's {ElementCount} elements.");
        }
    }

    /// <summary>
    /// Decodes a non-empty range already checked to lie inside the tensor; <paramref name="destination"/> is exactly
    /// count × bytes-per-element long.
    /// </summary>
    protected abstract void DecodeCore(long firstElement, int count, Span<byte> destination, OutputFormat format);
}
