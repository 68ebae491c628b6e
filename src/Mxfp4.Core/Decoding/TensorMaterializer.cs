using System.Runtime.InteropServices;
using Mxfp4.Core.Numerics;

namespace Mxfp4.Core.Decoding;

/// <summary>
/// A decoded tensor slice as one managed array: <c>float[]</c> for F32, <c>Half[]</c> for F16 and the BF16 bit
/// patterns as <c>ushort[]</c> for BF16, refused (TensorTooLarge) beyond a memory limit or one array.
/// </summary>
public static class TensorMaterializer
{
    /// <summary>
    /// Allocates the array for <paramref name="reader"/>'s slice, after checking it fits <paramref name="memoryLimit"/>
    /// bytes.
    /// </summary>
    public static Array Allocate(ChunkedReader reader, string name, long memoryLimit)
    {
        ArgumentNullException.ThrowIfNull(reader);
        long elements = reader.Slice.ElementCount;
        if (elements > Array.MaxLength || reader.ByteCount > memoryLimit)
        {
            throw new Mxfp4Exception(
                ErrorIds.TensorTooLarge,
                Mxfp4ErrorCategory.LimitsExceeded,
                $"'{name}' has {Plural.Of(elements, "element", "elements")} ({reader.ByteCount} bytes as {reader.Format}), "
                    + $"more than an in-memory result may hold (a limit of {memoryLimit} bytes).",
                name);
        }

        return Array.CreateInstance(ElementType(reader.Format), elements);
    }

    /// <summary>Decodes <paramref name="reader"/>'s slice into <paramref name="data"/> (from <see cref="Allocate"/>).</summary>
    public static void Fill(ChunkedReader reader, Array data, Action<long>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(data);
        if (data.GetType() != ElementType(reader.Format).MakeArrayType() || data.LongLength != reader.Slice.ElementCount)
        {
            throw new ArgumentException(
                $"A {data.GetType().Name} of {data.LongLength} elements cannot hold {reader.Slice.ElementCount} {reader.Format} elements.",
                nameof(data));
        }

        var bytes = MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(data), checked((int)reader.ByteCount));
        reader.DecodeInto(bytes, ChunkedReader.CopyChunkBytes, progress, cancellationToken);
    }

    /// <summary>The element type that holds one value of <paramref name="format"/>.</summary>
    public static Type ElementType(OutputFormat format) => format switch
    {
        OutputFormat.F32 => typeof(float),
        OutputFormat.F16 => typeof(Half),
        OutputFormat.BF16 => typeof(ushort),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown output format."),
    };
}
