using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Mxfp4.Core.MatVec;

/// <summary>
/// The few vector operations the MatVec kernels need, each with the instruction that does it in one step where the
/// CPU has it and an exact portable fallback elsewhere, so every path runs (and is tested) on every machine.
/// </summary>
internal static class SimdOps
{
    /// <summary>Splits 16 packed bytes into their low nibbles (even elements) and high nibbles (odd elements).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (Vector128<byte> Low, Vector128<byte> High) Nibbles(Vector128<byte> packed)
    {
        var mask = Vector128.Create((byte)0x0F);
        return (packed & mask, Vector128.ShiftRightLogical(packed.AsUInt16(), 4).AsByte() & mask);
    }

    /// <summary>table[index] for 16 indices in 0..15 (pshufb / tbl).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<sbyte> Lookup(Vector128<sbyte> table, Vector128<byte> index)
    {
        if (Ssse3.IsSupported)
        {
            return Ssse3.Shuffle(table, index.AsSByte());
        }

        if (AdvSimd.Arm64.IsSupported)
        {
            return AdvSimd.Arm64.VectorTableLookup(table.AsByte(), index).AsSByte();
        }

        return Vector128.Shuffle(table, index.AsSByte());
    }

    /// <summary>Elements 0..3 of <paramref name="values"/> as floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> WidenQuarter(Vector128<sbyte> values, int quarter)
    {
        var shorts = quarter < 2 ? Vector128.WidenLower(values) : Vector128.WidenUpper(values);
        var ints = (quarter & 1) == 0 ? Vector128.WidenLower(shorts) : Vector128.WidenUpper(shorts);
        return Vector128.ConvertToSingle(ints);
    }

    /// <summary>Elements 0..7 (<paramref name="upper"/> false) or 8..15 of <paramref name="values"/> as floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> WidenHalf(Vector128<sbyte> values, bool upper)
    {
        if (Avx2.IsSupported)
        {
            var source = upper ? Sse2.ShiftRightLogical128BitLane(values, 8) : values;
            return Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(source));
        }

        int first = upper ? 2 : 0;
        return Vector256.Create(WidenQuarter(values, first), WidenQuarter(values, first + 1));
    }

    /// <summary>All 16 elements of <paramref name="values"/> as floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> WidenAll(Vector128<sbyte> values)
    {
        if (Avx512F.IsSupported)
        {
            return Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(values));
        }

        return Vector512.Create(WidenHalf(values, upper: false), WidenHalf(values, upper: true));
    }

    /// <summary>a·b + c with a single rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> FusedMultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c)
    {
        if (Fma.IsSupported)
        {
            return Fma.MultiplyAdd(a, b, c);
        }

        if (AdvSimd.IsSupported)
        {
            return AdvSimd.FusedMultiplyAdd(c, a, b);
        }

        return Vector128.Create(
            MathF.FusedMultiplyAdd(a[0], b[0], c[0]),
            MathF.FusedMultiplyAdd(a[1], b[1], c[1]),
            MathF.FusedMultiplyAdd(a[2], b[2], c[2]),
            MathF.FusedMultiplyAdd(a[3], b[3], c[3]));
    }

    /// <summary>a·b + c with a single rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> FusedMultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c)
    {
        if (Fma.IsSupported)
        {
            return Fma.MultiplyAdd(a, b, c);
        }

        return Vector256.Create(
            FusedMultiplyAdd(a.GetLower(), b.GetLower(), c.GetLower()),
            FusedMultiplyAdd(a.GetUpper(), b.GetUpper(), c.GetUpper()));
    }

    /// <summary>a·b + c with a single rounding.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> FusedMultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c)
    {
        if (Avx512F.IsSupported)
        {
            return Avx512F.FusedMultiplyAdd(a, b, c);
        }

        return Vector512.Create(
            FusedMultiplyAdd(a.GetLower(), b.GetLower(), c.GetLower()),
            FusedMultiplyAdd(a.GetUpper(), b.GetUpper(), c.GetUpper()));
    }

    /// <summary>
    /// a·b + c for products that are exact (a float32 value times a power of two): fused or not, the sum is rounded
    /// once, so the fallback gives the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<double> MultiplyAdd(Vector128<double> a, Vector128<double> b, Vector128<double> c)
        => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : (a * b) + c;

    /// <inheritdoc cref="MultiplyAdd(Vector128{double}, Vector128{double}, Vector128{double})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<double> MultiplyAdd(Vector256<double> a, Vector256<double> b, Vector256<double> c)
        => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : (a * b) + c;

    /// <inheritdoc cref="MultiplyAdd(Vector128{double}, Vector128{double}, Vector128{double})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<double> MultiplyAdd(Vector512<double> a, Vector512<double> b, Vector512<double> c)
        => Avx512F.IsSupported ? Avx512F.FusedMultiplyAdd(a, b, c) : (a * b) + c;

    /// <summary>The last two steps of the kernels' pairwise lane sums: lanes 0..3 → (0 + 2) + (1 + 3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float PairwiseSum(Vector128<float> quad) => (quad.GetElement(0) + quad.GetElement(2))
        + (quad.GetElement(1) + quad.GetElement(3));

    /// <summary>
    /// Asks for the 64-byte lines of bytes [start, start + length) of <paramref name="data"/> (clipped to it) to be
    /// brought into the L2 cache ahead of use. The kernels walk several rows at once, and the hardware prefetcher
    /// loses each row's short stream when the next group starts; without this a single thread reads memory at a third
    /// of its bandwidth. Into L2 rather than L1 (prefetcht1): with the kernels 8 rows ahead, out of cache on Zen 4, one
    /// thread's Int8 product went from 8.4 to 10.5 GB/s and Exact's from 8.5 to 9.9 GB/s (CPU time per product).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void Prefetch(ReadOnlySpan<byte> data, int start, int length)
    {
        if (!Sse.IsSupported || start >= data.Length)
        {
            return;
        }

        int end = Math.Min(data.Length, start + length);
        fixed (byte* pointer = data)
        {
            for (int at = start; at < end; at += 64)
            {
                Sse.Prefetch1(pointer + at);
            }
        }
    }
}
