using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Mxfp4.Core.Numerics;

/// <summary>
/// IEEE half output. Groups whose every product is a normal F16 are formed with a factor that leaves the float32
/// exponent biased as F16's (<see cref="ExactNarrowing.HalfFactor"/>), so their stores only shift.
/// </summary>
public readonly struct F16Format : IOutputFormat
{
    /// <summary>Elements converted per step when a conversion goes through a float32 buffer.</summary>
    private const int ChunkElements = 1024;

    public static OutputFormat Format => OutputFormat.F16;

    public static int BytesPerElement => sizeof(ushort);

    public static bool InterleavesWithinLanes => false;

    public static float Factor(byte scale) => ExactNarrowing.HalfFactor(scale);

    /// <summary>Rounds to nearest-even as <see cref="Half"/>'s conversion; every NaN becomes the positive quiet NaN 0x7E00.</summary>
    public static void Store(float value, Span<byte> destination)
    {
        ushort half = float.IsNaN(value) ? ExactNarrowing.HalfNaNBits : BitConverter.HalfToUInt16Bits((Half)value);
        BitConverter.TryWriteBytes(destination, half);
    }

    public static void Store(Vector128<float> first, Vector128<float> second, byte scale, ref byte destination)
    {
        Vector128<uint> lower, upper;
        if (ExactNarrowing.IsHalfNormalScale(scale))
        {
            lower = ExactNarrowing.NormalHalfBits(first);
            upper = ExactNarrowing.NormalHalfBits(second);
        }
        else
        {
            lower = ExactNarrowing.HalfBits(first);
            upper = ExactNarrowing.HalfBits(second);
        }

        Vector128.Narrow(lower, upper).AsByte().StoreUnsafe(ref destination);
    }

    public static void Store(Vector256<float> even, Vector256<float> odd, byte scale, ref byte destination)
    {
        Vector256<uint> pairs = ExactNarrowing.IsHalfNormalScale(scale)
            ? (ExactNarrowing.NormalHalfBits(even) & Vector256.Create(0xFFFFu))
                | Vector256.ShiftLeft(ExactNarrowing.NormalHalfBits(odd), 16)
            : ExactNarrowing.HalfBits(even) | Vector256.ShiftLeft(ExactNarrowing.HalfBits(odd), 16);
        pairs.AsByte().StoreUnsafe(ref destination);
    }

    public static void FromSingle(ReadOnlySpan<float> source, Span<byte> destination)
        => TensorPrimitives.ConvertToHalf(source, MemoryMarshal.Cast<byte, Half>(destination));

    public static void FromBFloat16(ReadOnlySpan<ushort> source, Span<byte> destination)
    {
        // Widening is exact, so the float32 to F16 conversion is the only rounding.
        Span<float> buffer = stackalloc float[ChunkElements];
        var output = MemoryMarshal.Cast<byte, Half>(destination);
        for (int start = 0; start < source.Length; start += ChunkElements)
        {
            int length = Math.Min(ChunkElements, source.Length - start);
            var chunk = buffer[..length];
            BFloat16Conversion.Widen(source.Slice(start, length), MemoryMarshal.Cast<float, uint>(chunk));
            TensorPrimitives.ConvertToHalf(chunk, output.Slice(start, length));
        }
    }

    public static void FromHalf(ReadOnlySpan<Half> source, Span<byte> destination)
        => MemoryMarshal.AsBytes(source).CopyTo(destination);

    public static void FromFloat8(ReadOnlySpan<byte> source, Span<byte> destination, Float8Table table)
        => Float8Table.Lookup(source, MemoryMarshal.Cast<byte, ushort>(destination), table.Half);
}
