using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Mxfp4.Core.Mxfp4;

namespace Mxfp4.Core.MatVec;

/// <summary>
/// The Int8 row kernel. The vector arrives quantized per block (<see cref="VectorPreparation.QuantizeInt8"/>, split
/// into even then odd elements like the Exact kernel's), so position i of a block's 32 values pairs with nibble
/// i (low nibbles of bytes 0..15, then high nibbles). Lane l (0..7) takes positions 4l..4l+3: its integer dot
/// product with the doubled weights (−12..12) is exact, and
/// <c>lane[l] += dot_l · (m_g · 2^(s_g − 128))</c> (m_g the block's max|x|) adds an exact product in float64. After
/// the last block the lanes are added pairwise (l += l+4, l+2, l+1) and the row is that sum / 127. So every path gives
/// the same bits. Blocks with s ≥ 253 add <see cref="OverflowBlocks.Int8Block"/> to lane 0 instead, in the scalar
/// loop, which rows holding such blocks take on every path.
/// The x86 paths use the unsigned×signed multiply-add (pmaddubsw) with the weights' magnitudes as the unsigned
/// operand and their signs moved onto x (psignb), then pmaddwd, whose int32 lanes are exactly the 8 lanes above.
/// AVX-VNNI is not used: in net8.0 its API is a preview feature. A 32-byte block fills a 256-bit register exactly,
/// so Vector512 runs the 256-bit path.
/// </summary>
internal static class Int8DotKernel
{
    /// <summary>Row sums for <c>sums.Length</c> consecutive rows of <paramref name="groups"/> blocks each.</summary>
    internal static void Rows(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, int groups, ReadOnlySpan<sbyte> quantizedX, ReadOnlySpan<double> xMaxima, Span<double> sums, KernelPath path)
    {
        int rowBytes = groups * Mxfp4Format.BlockBytes;
        for (int r = 0; r < sums.Length; r++)
        {
            var rowBlocks = blocks.Slice(r * rowBytes, rowBytes);
            var rowScales = scales.Slice(r * groups, groups);
            sums[r] = OverflowBlocks.Contains(rowScales) ? RowScalar(rowBlocks, rowScales, quantizedX, xMaxima) : path switch
            {
                KernelPath.Vector512 or KernelPath.Vector256 => Row256(rowBlocks, rowScales, quantizedX, xMaxima),
                KernelPath.Vector128 => Row128(rowBlocks, rowScales, quantizedX, xMaxima),
                _ => RowScalar(rowBlocks, rowScales, quantizedX, xMaxima),
            };
        }
    }

    private static double RowScalar(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, ReadOnlySpan<sbyte> q, ReadOnlySpan<double> xMaxima)
    {
        var table = WeightTables.DoubledValues;
        var halfScales = WeightTables.HalfScales;
        Span<double> lanes = stackalloc double[8];
        lanes.Clear();
        for (int g = 0; g < scales.Length; g++)
        {
            var block = blocks.Slice(g * Mxfp4Format.BlockBytes, Mxfp4Format.BlockBytes);
            var qBlock = q.Slice(g * Mxfp4Format.BlockElements, Mxfp4Format.BlockElements);
            if (scales[g] >= OverflowBlocks.FirstScale)
            {
                lanes[0] += OverflowBlocks.Int8Block(block, qBlock, xMaxima[g], scales[g]);
                continue;
            }

            double scale = xMaxima[g] * halfScales[scales[g]];
            for (int l = 0; l < 8; l++)
            {
                int dot = 0;
                for (int i = 4 * l; i < (4 * l) + 4; i++)
                {
                    int weight = i < 16 ? table[block[i] & 0x0F] : table[block[i - 16] >> 4];
                    dot += weight * qBlock[i];
                }

                lanes[l] += dot * scale;
            }
        }

        for (int half = 4; half >= 1; half /= 2)
        {
            for (int l = 0; l < half; l++)
            {
                lanes[l] += lanes[l + half];
            }
        }

        return lanes[0] / 127.0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Row128(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, ReadOnlySpan<sbyte> q, ReadOnlySpan<double> xMaxima)
    {
        ref byte blockRef = ref MemoryMarshal.GetReference(blocks);
        ref sbyte qRef = ref MemoryMarshal.GetReference(q);
        var table = Vector128.Create(WeightTables.DoubledValues);
        var halfScales = WeightTables.HalfScales;

        // a{k} holds lanes 2k and 2k+1.
        Vector128<double> a0 = default, a1 = default, a2 = default, a3 = default;
        for (int g = 0; g < scales.Length; g++)
        {
            var (low, high) = SimdOps.Nibbles(Vector128.LoadUnsafe(ref blockRef, (nuint)(g * Mxfp4Format.BlockBytes)));
            nuint qs = (nuint)(g * Mxfp4Format.BlockElements);
            var scale = Vector128.Create(xMaxima[g] * halfScales[scales[g]]);
            var evenDots = Dot4(SimdOps.Lookup(table, low), Vector128.LoadUnsafe(ref qRef, qs));
            var oddDots = Dot4(SimdOps.Lookup(table, high), Vector128.LoadUnsafe(ref qRef, qs + 16));
            a0 = SimdOps.MultiplyAdd(WidenLower(evenDots), scale, a0);
            a1 = SimdOps.MultiplyAdd(WidenUpper(evenDots), scale, a1);
            a2 = SimdOps.MultiplyAdd(WidenLower(oddDots), scale, a2);
            a3 = SimdOps.MultiplyAdd(WidenUpper(oddDots), scale, a3);
        }

        a0 += a2;
        a1 += a3;
        a0 += a1;
        return (a0.GetElement(0) + a0.GetElement(1)) / 127.0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Row256(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, ReadOnlySpan<sbyte> q, ReadOnlySpan<double> xMaxima)
    {
        if (!Avx2.IsSupported)
        {
            return Row128(blocks, scales, q, xMaxima);
        }

        ref byte blockRef = ref MemoryMarshal.GetReference(blocks);
        ref sbyte qRef = ref MemoryMarshal.GetReference(q);
        var table128 = Vector128.Create(WeightTables.DoubledValues);
        var table = Vector256.Create(table128, table128);
        var ones = Vector256.Create((short)1);
        var halfScales = WeightTables.HalfScales;

        // a0 holds lanes 0..3, a1 lanes 4..7.
        Vector256<double> a0 = default, a1 = default;
        for (int g = 0; g < scales.Length; g++)
        {
            var (low, high) = SimdOps.Nibbles(Vector128.LoadUnsafe(ref blockRef, (nuint)(g * Mxfp4Format.BlockBytes)));
            var weights = Avx2.Shuffle(table, Vector256.Create(low, high).AsSByte());
            var x = Vector256.LoadUnsafe(ref qRef, (nuint)(g * Mxfp4Format.BlockElements));
            var dots = Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Avx2.Abs(weights), Avx2.Sign(x, weights)), ones);
            var scale = Vector256.Create(xMaxima[g] * halfScales[scales[g]]);
            a0 = SimdOps.MultiplyAdd(Avx.ConvertToVector256Double(dots.GetLower()), scale, a0);
            a1 = SimdOps.MultiplyAdd(Avx.ConvertToVector256Double(dots.GetUpper()), scale, a1);
        }

        a0 += a1;
        var pair = a0.GetLower() + a0.GetUpper();
        return (pair.GetElement(0) + pair.GetElement(1)) / 127.0;
    }

    /// <summary>Sums of 4 adjacent products w[i]·x[i] over 16 int8 pairs with |w| ≤ 12 and |x| ≤ 127 (nothing saturates).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<int> Dot4(Vector128<sbyte> weights, Vector128<sbyte> x)
    {
        if (Ssse3.IsSupported)
        {
            var pairs = Ssse3.MultiplyAddAdjacent(Ssse3.Abs(weights), Ssse3.Sign(x, weights));
            return Sse2.MultiplyAddAdjacent(pairs, Vector128.Create((short)1));
        }

        var low = Vector128.WidenLower(weights) * Vector128.WidenLower(x);
        var high = Vector128.WidenUpper(weights) * Vector128.WidenUpper(x);
        return Vector128.Create(
            Vector128.Sum(Vector128.WidenLower(low)),
            Vector128.Sum(Vector128.WidenUpper(low)),
            Vector128.Sum(Vector128.WidenLower(high)),
            Vector128.Sum(Vector128.WidenUpper(high)));
    }

    /// <summary>Lanes 0 and 1 as doubles (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<double> WidenLower(Vector128<int> values) => Vector128.ConvertToDouble(Vector128.WidenLower(values));

    /// <summary>Lanes 2 and 3 as doubles (exact).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<double> WidenUpper(Vector128<int> values) => Vector128.ConvertToDouble(Vector128.WidenUpper(values));
}
