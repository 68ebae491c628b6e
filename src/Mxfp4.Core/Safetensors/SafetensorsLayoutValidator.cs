using System.Globalization;

namespace Mxfp4.Core.Safetensors;

/// <summary>
/// The layout rules of a header whose JSON is valid: offsets tile the data buffer from 0 without holes or overlaps,
/// every shape's size fits 64 bits and matches its byte range, and the last tensor ends exactly at the end of the file.
/// All arithmetic is checked 64-bit; nothing is allocated in proportion to a claimed size.
/// </summary>
internal static class SafetensorsLayoutValidator
{
    public static IReadOnlyList<TensorInfo> Validate(List<HeaderEntry> entries, long dataStart, long fileLength, string path,
        CancellationToken cancellationToken = default)
    {
        var sorted = entries.ToArray();
        foreach (var entry in sorted)
        {
            if (entry.Begin > entry.End)
            {
                throw new SafetensorsFormatException(
                    SafetensorsErrorKind.InvalidOffsets, path, entry.Name, Offsets(entry),
                    $"data_offsets {Offsets(entry)} begin after they end");
            }
        }

        // Zero-length tensors share their offset with a neighbour; ordering by end and then name keeps the order stable.
        Array.Sort(sorted, static (a, b) =>
        {
            int byBegin = a.Begin.CompareTo(b.Begin);
            if (byBegin != 0)
            {
                return byBegin;
            }

            int byEnd = a.End.CompareTo(b.End);
            return byEnd != 0 ? byEnd : string.CompareOrdinal(a.Name, b.Name);
        });

        cancellationToken.ThrowIfCancellationRequested();
        ulong expected = 0;
        foreach (var entry in sorted)
        {
            if (entry.Begin != expected)
            {
                string what = expected == 0 && entry.Begin > 0 ? "the first tensor does not start at 0"
                    : entry.Begin > expected ? $"leave a hole of {entry.Begin - expected} bytes after offset {expected}"
                    : $"overlap the previous tensor, which ends at {expected}";
                throw new SafetensorsFormatException(
                    SafetensorsErrorKind.InvalidOffsets, path, entry.Name, Offsets(entry),
                    $"data_offsets {Offsets(entry)} {what}");
            }

            if (entry.End > long.MaxValue)
            {
                throw new SafetensorsFormatException(
                    SafetensorsErrorKind.InvalidOffsets, path, entry.Name, Offsets(entry),
                    $"data_offsets {Offsets(entry)} reach beyond 2^63-1 bytes");
            }

            expected = entry.End;
        }

        var measured = new (long[] Shape, long Elements)[sorted.Length];
        for (int i = 0; i < sorted.Length; i++)
        {
            var entry = sorted[i];
            var (shape, elements, bytes) = Measure(entry, path);
            long byteLength = (long)(entry.End - entry.Begin);
            if (bytes != byteLength)
            {
                throw new SafetensorsFormatException(
                    SafetensorsErrorKind.SizeMismatch, path, entry.Name, Offsets(entry),
                    $"data_offsets {Offsets(entry)} hold {byteLength} bytes but shape {Shape(entry)} of {entry.DType} needs {bytes}");
            }

            measured[i] = (shape, elements);
        }

        long dataLength = fileLength - dataStart;
        if ((long)expected < dataLength)
        {
            throw new SafetensorsFormatException(
                SafetensorsErrorKind.TrailingBytes, path, null, (dataLength - (long)expected).ToString(CultureInfo.InvariantCulture),
                $"the tensors end at data offset {expected} but the data buffer holds {dataLength} bytes ({dataLength - (long)expected} "
                    + "trailing)");
        }

        if ((long)expected > dataLength)
        {
            throw new SafetensorsFormatException(
                SafetensorsErrorKind.TruncatedFile, path, sorted[^1].Name, expected.ToString(CultureInfo.InvariantCulture),
                $"the tensors end at data offset {expected} but the data buffer holds only {dataLength} bytes (file truncated?)");
        }

        // Only now that every tensor is known to end inside the file can dataStart + begin not overflow: offsets
        // below 2^63 may still pass long.MaxValue once the header length is added.
        var tensors = new TensorInfo[sorted.Length];
        for (int i = 0; i < sorted.Length; i++)
        {
            var entry = sorted[i];
            tensors[i] = new TensorInfo(entry.Name, entry.DType, measured[i].Shape, measured[i].Elements, (long)(entry.End - entry.Begin),
                dataStart + (long)entry.Begin, path);
        }

        return tensors;
    }

    /// <summary>Element count and byte size of an entry's shape; bits that do not fill whole bytes are a size mismatch.</summary>
    private static (long[] Shape, long Elements, long Bytes) Measure(HeaderEntry entry, string path)
    {
        // Unsigned like the reference reader: the bit count may use all 64 bits, and then the byte and element
        // counts (at most bits / 4) still fit a long.
        var shape = new long[entry.Shape.Length];
        ulong elements = 1;
        ulong bits;
        try
        {
            for (int d = 0; d < shape.Length; d++)
            {
                if (entry.Shape[d] > long.MaxValue)
                {
                    throw new OverflowException();
                }

                shape[d] = (long)entry.Shape[d];
                elements = checked(elements * entry.Shape[d]);
            }

            bits = checked(elements * (ulong)DTypeTable.BitSize(entry.DType));
        }
        catch (OverflowException)
        {
            throw new SafetensorsFormatException(
                SafetensorsErrorKind.ShapeOverflow, path, entry.Name, Shape(entry),
                $"shape {Shape(entry)} of {entry.DType} holds more elements or bits than 64-bit arithmetic can count");
        }

        if (bits % 8 != 0)
        {
            throw new SafetensorsFormatException(
                SafetensorsErrorKind.SizeMismatch, path, entry.Name, Shape(entry),
                $"shape {Shape(entry)} of {entry.DType} holds {bits} bits, which is not a whole number of bytes");
        }

        return (shape, (long)elements, (long)(bits / 8));
    }

    private static string Offsets(HeaderEntry entry) => string.Create(CultureInfo.InvariantCulture, $"[{entry.Begin}, {entry.End}]");

    private static string Shape(HeaderEntry entry) => "[" + string.Join(", ", entry.Shape) + "]";
}
