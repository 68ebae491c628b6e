using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Mxfp4.Core.Mxfp4;

namespace Mxfp4.Core.MatVec;

/// <summary>
/// The Exact row kernel. Its arithmetic is fixed independently of vector width, so every path gives the same bits:
/// the vector arrives split per block into its 16 even then 16 odd elements (<see cref="VectorPreparation"/>), which
/// lines element pairs up with the bytes that hold them. For block g and byte j (a "lane", 0..15), with doubled
/// weights e (low nibble) and o (high nibble):
/// <c>p = fma(o, x_odd[j], e·x_even[j])</c> in float32, then <c>lane[j] += (double)p · 2^(s_g − 128)</c> in float64
/// (the product is exact, so fused or not gives the same sum). After the last block the 16 lanes are added
/// pairwise (j += j+8, then j+4, j+2, j+1) and the row's sum is that float64. Blocks with s ≥ 253 add
/// <see cref="OverflowBlocks.ExactLanes"/> to their lanes instead (only the scalar loop has that branch).
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
            // Overflow blocks are rare and the scalar path gives the same bits, so their rows take it and the
            // vector loops stay free of calls (which would spill their accumulators).
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
        Span<double> lanes = stackalloc double[16];
        Span<double> overflow = stackalloc double[16];
        lanes.Clear();
        for (int g = 0; g < scales.Length; g++)
        {
            double scale = halfScales[scales[g]];
            var block = blocks.Slice(g * Mxfp4Format.BlockBytes, Mxfp4Format.BlockBytes);
            var xBlock = x.Slice(g * Mxfp4Format.BlockElements, Mxfp4Format.BlockElements);
            if (scales[g] >= OverflowBlocks.FirstScale)
            {
                OverflowBlocks.ExactLanes(block, xBlock, scales[g], overflow);
                for (int j = 0; j < 16; j++)
                {
                    lanes[j] += overflow[j];
                }

                continue;
            }

            for (int j = 0; j < 16; j++)
            {
                float even = table[block[j] & 0x0F];
                float odd = table[block[j] >> 4];
                float pair = MathF.FusedMultiplyAdd(odd, xBlock[16 + j], even * xBlock[j]);
                lanes[j] += pair * scale;
            }
        }

        for (int half = 8; half >= 1; half /= 2)
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
        Vector128<double> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        for (int g = 0; g < scales.Length; g++)
        {
            var (low, high) = SimdOps.Nibbles(Vector128.LoadUnsafe(ref blockRef, (nuint)(g * Mxfp4Format.BlockBytes)));
            var even = SimdOps.Lookup(table, low);
            var odd = SimdOps.Lookup(table, high);
            nuint xs = (nuint)(g * Mxfp4Format.BlockElements);
            var scale = Vector128.Create(halfScales[scales[g]]);

            var p0 = SimdOps.FusedMultiplyAdd(SimdOps.WidenQuarter(odd, 0), Vector128.LoadUnsafe(ref xRef, xs + 16), SimdOps.WidenQuarter(even, 0) * Vector128.LoadUnsafe(ref xRef, xs));
            var p1 = SimdOps.FusedMultiplyAdd(SimdOps.WidenQuarter(odd, 1), Vector128.LoadUnsafe(ref xRef, xs + 20), SimdOps.WidenQuarter(even, 1) * Vector128.LoadUnsafe(ref xRef, xs + 4));
            var p2 = SimdOps.FusedMultiplyAdd(SimdOps.WidenQuarter(odd, 2), Vector128.LoadUnsafe(ref xRef, xs + 24), SimdOps.WidenQuarter(even, 2) * Vector128.LoadUnsafe(ref xRef, xs + 8));
            var p3 = SimdOps.FusedMultiplyAdd(SimdOps.WidenQuarter(odd, 3), Vector128.LoadUnsafe(ref xRef, xs + 28), SimdOps.WidenQuarter(even, 3) * Vector128.LoadUnsafe(ref xRef, xs + 12));
            a0 = SimdOps.MultiplyAdd(Vector128.WidenLower(p0), scale, a0);
            a1 = SimdOps.MultiplyAdd(Vector128.WidenUpper(p0), scale, a1);
            a2 = SimdOps.MultiplyAdd(Vector128.WidenLower(p1), scale, a2);
            a3 = SimdOps.MultiplyAdd(Vector128.WidenUpper(p1), scale, a3);
            a4 = SimdOps.MultiplyAdd(Vector128.WidenLower(p2), scale, a4);
            a5 = SimdOps.MultiplyAdd(Vector128.WidenUpper(p2), scale, a5);
            a6 = SimdOps.MultiplyAdd(Vector128.WidenLower(p3), scale, a6);
            a7 = SimdOps.MultiplyAdd(Vector128.WidenUpper(p3), scale, a7);
        }

        a0 += a4;
        a1 += a5;
        a2 += a6;
        a3 += a7;
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
        // a{k} holds lanes 4k..4k+3.
        Vector256<double> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int g = 0; g < scales.Length; g++)
        {
            var (low, high) = SimdOps.Nibbles(Vector128.LoadUnsafe(ref blockRef, (nuint)(g * Mxfp4Format.BlockBytes)));
            var even = SimdOps.Lookup(table, low);
            var odd = SimdOps.Lookup(table, high);
            nuint xs = (nuint)(g * Mxfp4Format.BlockElements);
            var scale = Vector256.Create(halfScales[scales[g]]);

            var p0 = SimdOps.FusedMultiplyAdd(SimdOps.WidenHalf(odd, upper: false), Vector256.LoadUnsafe(ref xRef, xs + 16), SimdOps.WidenHalf(even, upper: false) * Vector256.LoadUnsafe(ref xRef, xs));
            var p1 = SimdOps.FusedMultiplyAdd(SimdOps.WidenHalf(odd, upper: true), Vector256.LoadUnsafe(ref xRef, xs + 24), SimdOps.WidenHalf(even, upper: true) * Vector256.LoadUnsafe(ref xRef, xs + 8));
            a0 = SimdOps.MultiplyAdd(Vector256.WidenLower(p0), scale, a0);
            a1 = SimdOps.MultiplyAdd(Vector256.WidenUpper(p0), scale, a1);
            a2 = SimdOps.MultiplyAdd(Vector256.WidenLower(p1), scale, a2);
            a3 = SimdOps.MultiplyAdd(Vector256.WidenUpper(p1), scale, a3);
        }

        a0 += a2;
        a1 += a3;
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
        // a0 holds lanes 0..7, a1 lanes 8..15.
        Vector512<double> a0 = default, a1 = default;
        for (int g = 0; g < scales.Length; g++)
        {
            var (low, high) = SimdOps.Nibbles(Vector128.LoadUnsafe(ref blockRef, (nuint)(g * Mxfp4Format.BlockBytes)));
            var even = SimdOps.WidenAll(SimdOps.Lookup(table, low));
            var odd = SimdOps.WidenAll(SimdOps.Lookup(table, high));
            nuint xs = (nuint)(g * Mxfp4Format.BlockElements);
            var scale = Vector512.Create(halfScales[scales[g]]);

            var p = SimdOps.FusedMultiplyAdd(odd, Vector512.LoadUnsafe(ref xRef, xs + 16), even * Vector512.LoadUnsafe(ref xRef, xs));
            a0 = SimdOps.MultiplyAdd(Vector512.WidenLower(p), scale, a0);
            a1 = SimdOps.MultiplyAdd(Vector512.WidenUpper(p), scale, a1);
        }

        a0 += a1;
        var quad = a0.GetLower() + a0.GetUpper();
        var pair = quad.GetLower() + quad.GetUpper();
        return pair.GetElement(0) + pair.GetElement(1);
    }
}
