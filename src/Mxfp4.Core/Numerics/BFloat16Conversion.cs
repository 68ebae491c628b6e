using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Mxfp4.Core.Numerics;

/// <summary>Vectorised BF16 &lt;-&gt; float32 bit conversions; one loop per vector width, then a scalar tail.</summary>
internal static class BFloat16Conversion
{
    /// <summary>BF16 to float32: the BF16 bits become the top half, so every value (NaN payloads included) is kept exactly.</summary>
    public static void Widen(ReadOnlySpan<ushort> source, Span<uint> destination)
    {
        ref ushort input = ref MemoryMarshal.GetReference(source);
        ref uint output = ref MemoryMarshal.GetReference(destination);
        nuint count = (nuint)source.Length;
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector512<ushort>.Count <= count; i += (nuint)Vector512<ushort>.Count)
            {
                var (lower, upper) = Vector512.Widen(Vector512.LoadUnsafe(ref input, i));
                Vector512.ShiftLeft(lower, 16).StoreUnsafe(ref output, i);
                Vector512.ShiftLeft(upper, 16).StoreUnsafe(ref output, i + (nuint)Vector512<uint>.Count);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector256<ushort>.Count <= count; i += (nuint)Vector256<ushort>.Count)
            {
                var (lower, upper) = Vector256.Widen(Vector256.LoadUnsafe(ref input, i));
                Vector256.ShiftLeft(lower, 16).StoreUnsafe(ref output, i);
                Vector256.ShiftLeft(upper, 16).StoreUnsafe(ref output, i + (nuint)Vector256<uint>.Count);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector128<ushort>.Count <= count; i += (nuint)Vector128<ushort>.Count)
            {
                var (lower, upper) = Vector128.Widen(Vector128.LoadUnsafe(ref input, i));
                Vector128.ShiftLeft(lower, 16).StoreUnsafe(ref output, i);
                Vector128.ShiftLeft(upper, 16).StoreUnsafe(ref output, i + (nuint)Vector128<uint>.Count);
            }
        }

        for (; i < count; i++)
        {
            destination[(int)i] = (uint)source[(int)i] << 16;
        }
    }

    /// <summary>
    /// Float32 to BF16, rounding to nearest, ties to even; overflow rounds to infinity. A NaN stays a NaN of the same
    /// sign with its top payload bits, made quiet (a signalling NaN whose payload lives only in the low half would
    /// otherwise become an infinity).
    /// </summary>
    public static void Narrow(ReadOnlySpan<uint> source, Span<ushort> destination)
    {
        ref uint input = ref MemoryMarshal.GetReference(source);
        ref ushort output = ref MemoryMarshal.GetReference(destination);
        nuint count = (nuint)source.Length;
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector512<ushort>.Count <= count; i += (nuint)Vector512<ushort>.Count)
            {
                Vector512<uint> lower = Round(Vector512.LoadUnsafe(ref input, i));
                Vector512<uint> upper = Round(Vector512.LoadUnsafe(ref input, i + (nuint)Vector512<uint>.Count));
                Vector512.Narrow(lower, upper).StoreUnsafe(ref output, i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector256<ushort>.Count <= count; i += (nuint)Vector256<ushort>.Count)
            {
                Vector256<uint> lower = Round(Vector256.LoadUnsafe(ref input, i));
                Vector256<uint> upper = Round(Vector256.LoadUnsafe(ref input, i + (nuint)Vector256<uint>.Count));
                Vector256.Narrow(lower, upper).StoreUnsafe(ref output, i);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector128<ushort>.Count <= count; i += (nuint)Vector128<ushort>.Count)
            {
                Vector128<uint> lower = Round(Vector128.LoadUnsafe(ref input, i));
                Vector128<uint> upper = Round(Vector128.LoadUnsafe(ref input, i + (nuint)Vector128<uint>.Count));
                Vector128.Narrow(lower, upper).StoreUnsafe(ref output, i);
            }
        }

        for (; i < count; i++)
        {
            destination[(int)i] = Round(source[(int)i]);
        }
    }

    /// <summary>The BF16 bits nearest the float32 with bits <paramref name="bits"/> (see <see cref="Narrow"/>).</summary>
    public static ushort Round(uint bits)
    {
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000)
        {
            return (ushort)((bits >> 16) | 0x0040);
        }

        // Adding just under half an ulp, plus one more when the kept part is odd, carries exactly when rounding up.
        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }

    private static Vector512<uint> Round(Vector512<uint> bits)
    {
        Vector512<uint> rounded = Vector512.ShiftRightLogical(bits + Vector512.Create(0x7FFFu)
            + (Vector512.ShiftRightLogical(bits, 16) & Vector512<uint>.One), 16);
        Vector512<uint> quietNaN = Vector512.ShiftRightLogical(bits, 16) | Vector512.Create(0x0040u);
        Vector512<int> magnitude = (bits & Vector512.Create(0x7FFF_FFFFu)).AsInt32();
        return Vector512.ConditionalSelect(Vector512.GreaterThan(magnitude, Vector512.Create(0x7F80_0000)).AsUInt32(), quietNaN, rounded);
    }

    private static Vector256<uint> Round(Vector256<uint> bits)
    {
        Vector256<uint> rounded = Vector256.ShiftRightLogical(bits + Vector256.Create(0x7FFFu)
            + (Vector256.ShiftRightLogical(bits, 16) & Vector256<uint>.One), 16);
        Vector256<uint> quietNaN = Vector256.ShiftRightLogical(bits, 16) | Vector256.Create(0x0040u);
        Vector256<int> magnitude = (bits & Vector256.Create(0x7FFF_FFFFu)).AsInt32();
        return Vector256.ConditionalSelect(Vector256.GreaterThan(magnitude, Vector256.Create(0x7F80_0000)).AsUInt32(), quietNaN, rounded);
    }

    private static Vector128<uint> Round(Vector128<uint> bits)
    {
        Vector128<uint> rounded = Vector128.ShiftRightLogical(bits + Vector128.Create(0x7FFFu)
            + (Vector128.ShiftRightLogical(bits, 16) & Vector128<uint>.One), 16);
        Vector128<uint> quietNaN = Vector128.ShiftRightLogical(bits, 16) | Vector128.Create(0x0040u);
        Vector128<int> magnitude = (bits & Vector128.Create(0x7FFF_FFFFu)).AsInt32();
        return Vector128.ConditionalSelect(Vector128.GreaterThan(magnitude, Vector128.Create(0x7F80_0000)).AsUInt32(), quietNaN, rounded);
    }
}
