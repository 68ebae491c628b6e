using System.Runtime.Intrinsics;

namespace Mxfp4.Core.Numerics;

/// <summary>
/// One floating output format as data, as TensorPrimitives carries one operator type per operation: its element size,
/// its stores of float32 lanes at every vector width and one element at a time, and its conversions from the floating
/// input types. Kernels are generic over <c>TFormat : struct, IOutputFormat</c>, so the JIT compiles one specialised
/// loop per format; <see cref="OutputFormats"/> maps the user-facing <see cref="OutputFormat"/> to these types.
/// </summary>
/// <remarks>
/// The vector stores take exact products of E2M1 values and an E8M0 scale (at most two significant bits, formed with
/// <see cref="Factor"/>), so narrowing them never rounds except into F16 subnormals; NaN groups arrive as NaN lanes
/// with scale byte 255. Each store writes little-endian at any alignment.
/// </remarks>
public interface IOutputFormat
{
    /// <summary>The user-facing value this type stands for.</summary>
    static abstract OutputFormat Format { get; }

    /// <summary>Bytes one element occupies.</summary>
    static abstract int BytesPerElement { get; }

    /// <summary>
    /// Whether <see cref="Store(Vector256{float}, Vector256{float}, byte, ref byte)"/> interleaves within 128-bit lanes,
    /// so its caller must put block byte [0 1 4 5 2 3 6 7][j] (of each half block) in lane j rather than byte j.
    /// </summary>
    static abstract bool InterleavesWithinLanes { get; }

    /// <summary>
    /// The factor the products of a group with E8M0 scale byte <paramref name="scale"/> (below 255) are formed with
    /// before a vector store sees them, which is also passed that scale byte.
    /// </summary>
    static abstract float Factor(byte scale);

    /// <summary>Writes one element, rounded once to nearest-even; NaN becomes the format's canonical quiet NaN.</summary>
    static abstract void Store(float value, Span<byte> destination);

    /// <summary>Writes 8 consecutive elements: <paramref name="first"/> then <paramref name="second"/>.</summary>
    static abstract void Store(Vector128<float> first, Vector128<float> second, byte scale, ref byte destination);

    /// <summary>Writes 16 elements, element 2j from <paramref name="even"/>[j] and 2j+1 from <paramref name="odd"/>[j].</summary>
    static abstract void Store(Vector256<float> even, Vector256<float> odd, byte scale, ref byte destination);

    /// <summary>Converts float32 elements; see <see cref="FloatConversion"/> for the rounding.</summary>
    static abstract void FromSingle(ReadOnlySpan<float> source, Span<byte> destination);

    /// <summary>Converts BF16 elements (as their bits); see <see cref="FloatConversion"/> for the rounding.</summary>
    static abstract void FromBFloat16(ReadOnlySpan<ushort> source, Span<byte> destination);

    /// <summary>Converts F16 elements; see <see cref="FloatConversion"/> for the rounding.</summary>
    static abstract void FromHalf(ReadOnlySpan<Half> source, Span<byte> destination);

    /// <summary>Converts 8-bit float elements through their table of 256 exact values.</summary>
    static abstract void FromFloat8(ReadOnlySpan<byte> source, Span<byte> destination, Float8Table table);
}
