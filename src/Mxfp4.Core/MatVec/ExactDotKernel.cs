using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Mxfp4.Core.Mxfp4;

namespace Mxfp4.Core.MatVec;

/// <summary>
/// The Exact row kernel. Its arithmetic is fixed independently of vector width, so every path gives the same bits.
/// The vector arrives split per block into its 16 even then 16 odd elements (<see cref="VectorPreparation"/>), which
/// lines elements up with the nibbles that hold them. For block g and lane j (0..7), with the doubled weights
/// a = low nibble of byte j, b = low nibble of byte 8+j, c = high nibble of byte j, d = high nibble of byte 8+j and
/// x′ the deinterleaved block:
/// <c>t = fma(c, x′[16+j], a·x′[j])</c>, <c>u = fma(d, x′[24+j], b·x′[8+j])</c>, <c>p = t + u</c> in float32, then
/// <c>lane[j] += (double)p · 2^(s_g − 128)</c> in float64 (an exact product, so fused or not gives the same sum).
/// After the last block the 8 lanes are added pairwise (j += j+4, then j+2, j+1) and the row's sum is that float64.
/// Blocks with s ≥ 253 add <see cref="OverflowBlocks.ExactLanes"/> instead; rows holding them run the scalar loop
/// on every path, which keeps the vector loops free of calls (a call would spill their accumulators).
/// </summary>
internal static class ExactDotKernel
{
    /// <summary>Row sums for <c>sums.Length</c> consecutive rows of <paramref name="groups"/> blocks each.</summary>
    internal static void Rows(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, int groups, ReadOnlySpan<float> preparedX, Span<double> sums, KernelPath path)
    {
        int rowBytes = groups * Mxfp4Format.BlockBytes;
        for (int r = 0; r < sums.Length; r++)
        {
            var rowBlocks = blocks.Slice(r * rowBytes, rowBytes);
            var rowScales = scales.Slice(r * groups, groups);
            sums[r] = OverflowBlocks.Contains(rowScales) ? RowScalar(rowBlocks, rowScales, preparedX) : path switch
            {
                KernelPath.Vector512 => Row512(rowBlocks, rowScales, preparedX),
                KernelPath.Vector256 => Row256(rowBlocks, rowScales, preparedX),
                KernelPath.Vector128 => Row128(rowBlocks, rowScales, preparedX),
                _ => RowScalar(rowBlocks, rowScales, preparedX),
            };
        }
    }

    private static double RowScalar(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, ReadOnlySpan<float> x)
    {
        var table = WeightTables.DoubledValues;
        var halfScales = WeightTables.HalfScales;
        Span<double> lanes = stackalloc double[8];
        Span<double> overflow = stackalloc double[8];
        lanes.Clear();
        for (int g = 0; g < scales.Length; g++)
        {
            var block = blocks.Slice(g * Mxfp4Format.BlockBytes, Mxfp4Format.BlockBytes);
            var xBlock = x.Slice(g * Mxfp4Format.BlockElements, Mxfp4Format.BlockElements);
            if (scales[g] >= OverflowBlocks.FirstScale)
            {
                OverflowBlocks.ExactLanes(block, xBlock, scales[g], overflow);
                for (int j = 0; j < 8; j++)
                {
                    lanes[j] += overflow[j];
                }

                continue;
            }

            double scale = halfScales[scales[g]];
            for (int j = 0; j < 8; j++)
            {
                float a = table[block[j] & 0x0F];
                float b = table[block[8 + j] & 0x0F];
                float c = table[block[j] >> 4];
                float d = table[block[8 + j] >> 4];
                float t = MathF.FusedMultiplyAdd(c, xBlock[16 + j], a * xBlock[j]);
                float u = MathF.FusedMultiplyAdd(d, xBlock[24 + j], b * xBlock[8 + j]);
                lanes[j] += (t + u) * scale;
            }
        }

        for (int half = 4; half >= 1; half /= 2)
        {
            for (int j = 0; j < half; j++)
            {
                lanes[j] += lanes[j + half];
            }
        }

        return lanes[0];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Row128(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, ReadOnlySpan<float> x)
    {
        ref byte blockRef = ref MemoryMarshal.GetReference(blocks);
        ref float xRef = ref MemoryMarshal.GetReference(x);
        var table = Vector128.Create(WeightTables.DoubledValues);
        var halfScales = WeightTables.HalfScales;

        // a{k} holds lanes 2k and 2k+1.
        Vector128<double> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int g = 0; g < scales.Length; g++)
        {
            var (low, high) = SimdOps.Nibbles(Vector128.LoadUnsafe(ref blockRef, (nuint)(g * Mxfp4Format.BlockBytes)));
            var even = SimdOps.Lookup(table, low);
            var odd = SimdOps.Lookup(table, high);
            nuint xs = (nuint)(g * Mxfp4Format.BlockElements);
            var scale = Vector128.Create(halfScales[scales[g]]);

            var t0 = SimdOps.FusedMultiplyAdd(SimdOps.WidenQuarter(odd, 0), Vector128.LoadUnsafe(ref xRef, xs + 16), SimdOps.WidenQuarter(even, 0) * Vector128.LoadUnsafe(ref xRef, xs));
            var u0 = SimdOps.FusedMultiplyAdd(SimdOps.WidenQuarter(odd, 2), Vector128.LoadUnsafe(ref xRef, xs + 24), SimdOps.WidenQuarter(even, 2) * Vector128.LoadUnsafe(ref xRef, xs + 8));
            var t1 = SimdOps.FusedMultiplyAdd(SimdOps.WidenQuarter(odd, 1), Vector128.LoadUnsafe(ref xRef, xs + 20), SimdOps.WidenQuarter(even, 1) * Vector128.LoadUnsafe(ref xRef, xs + 4));
            var u1 = SimdOps.FusedMultiplyAdd(SimdOps.WidenQuarter(odd, 3), Vector128.LoadUnsafe(ref xRef, xs + 28), SimdOps.WidenQuarter(even, 3) * Vector128.LoadUnsafe(ref xRef, xs + 12));
            var p0 = t0 + u0;
            var p1 = t1 + u1;
            a0 = SimdOps.MultiplyAdd(Vector128.WidenLower(p0), scale, a0);
            a1 = SimdOps.MultiplyAdd(Vector128.WidenUpper(p0), scale, a1);
            a2 = SimdOps.MultiplyAdd(Vector128.WidenLower(p1), scale, a2);
            a3 = SimdOps.MultiplyAdd(Vector128.WidenUpper(p1), scale, a3);
        }

        a0 += a2;
        a1 += a3;
        a0 += a1;
        return a0.GetElement(0) + a0.GetElement(1);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Row256(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, ReadOnlySpan<float> x)
    {
        ref byte blockRef = ref MemoryMarshal.GetReference(blocks);
        ref float xRef = ref MemoryMarshal.GetReference(x);
        var table = Vector128.Create(WeightTables.DoubledValues);
        var halfScales = WeightTables.HalfScales;

        // a0 holds lanes 0..3, a1 lanes 4..7.
        Vector256<double> a0 = default, a1 = default;
        for (int g = 0; g < scales.Length; g++)
        {
            var (low, high) = SimdOps.Nibbles(Vector128.LoadUnsafe(ref blockRef, (nuint)(g * Mxfp4Format.BlockBytes)));
            var even = SimdOps.Lookup(table, low);
            var odd = SimdOps.Lookup(table, high);
            nuint xs = (nuint)(g * Mxfp4Format.BlockElements);
            var scale = Vector256.Create(halfScales[scales[g]]);

            var t = SimdOps.FusedMultiplyAdd(SimdOps.WidenHalf(odd, upper: false), Vector256.LoadUnsafe(ref xRef, xs + 16), SimdOps.WidenHalf(even, upper: false) * Vector256.LoadUnsafe(ref xRef, xs));
            var u = SimdOps.FusedMultiplyAdd(SimdOps.WidenHalf(odd, upper: true), Vector256.LoadUnsafe(ref xRef, xs + 24), SimdOps.WidenHalf(even, upper: true) * Vector256.LoadUnsafe(ref xRef, xs + 8));
            var p = t + u;
            a0 = SimdOps.MultiplyAdd(Vector256.WidenLower(p), scale, a0);
            a1 = SimdOps.MultiplyAdd(Vector256.WidenUpper(p), scale, a1);
        }

        a0 += a1;
        var pair = a0.GetLower() + a0.GetUpper();
        return pair.GetElement(0) + pair.GetElement(1);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Row512(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, ReadOnlySpan<float> x)
    {
        ref byte blockRef = ref MemoryMarshal.GetReference(blocks);
        ref float xRef = ref MemoryMarshal.GetReference(x);
        var table = Vector128.Create(WeightTables.DoubledValues);
        var halfScales = WeightTables.HalfScales;

        // Lanes 0..7; the float32 vector's halves are t and u.
        Vector512<double> lanes = default;
        for (int g = 0; g < scales.Length; g++)
        {
            var (low, high) = SimdOps.Nibbles(Vector128.LoadUnsafe(ref blockRef, (nuint)(g * Mxfp4Format.BlockBytes)));
            var even = SimdOps.WidenAll(SimdOps.Lookup(table, low));
            var odd = SimdOps.WidenAll(SimdOps.Lookup(table, high));
            nuint xs = (nuint)(g * Mxfp4Format.BlockElements);
            var scale = Vector512.Create(halfScales[scales[g]]);

            var tu = SimdOps.FusedMultiplyAdd(odd, Vector512.LoadUnsafe(ref xRef, xs + 16), even * Vector512.LoadUnsafe(ref xRef, xs));
            lanes = SimdOps.MultiplyAdd(SimdOps.WidenToDouble(tu.GetLower() + tu.GetUpper()), scale, lanes);
        }

        var quad = lanes.GetLower() + lanes.GetUpper();
        var pair = quad.GetLower() + quad.GetUpper();
        return pair.GetElement(0) + pair.GetElement(1);
    }
}
