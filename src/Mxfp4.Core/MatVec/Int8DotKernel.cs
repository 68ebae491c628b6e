using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Mxfp4.Core.Mxfp4;

namespace Mxfp4.Core.MatVec;

/// <summary>
/// The Int8 row kernel. The vector arrives quantized per block (<see cref="VectorPreparation.QuantizeInt8"/>, split
/// into even then odd elements like the Exact kernel's); per block the integer dot product of the doubled weights
/// (−12..12) with the int8 values is exact in any order, and
/// <c>sum += dot · (m_g · 2^(s_g − 128))</c> (m_g the block's max|x|) is an exact product added in float64, block
/// after block (blocks with s ≥ 253 add <see cref="OverflowBlocks.Int8Block"/> instead, in the scalar loop, which rows
/// holding such blocks take on every path); the row is <c>sum / 127</c>.
/// So every path gives the same bits. The x86 paths use the unsigned×signed multiply-add (pmaddubsw) with the weights'
/// magnitudes as the unsigned operand and their signs moved onto x (psignb). AVX-VNNI is not used: in net8.0 its
/// API is a preview feature. A 32-byte block fills a 256-bit register exactly, so Vector512 runs the 256-bit path.
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
        double sum = 0;
        for (int g = 0; g < scales.Length; g++)
        {
            var block = blocks.Slice(g * Mxfp4Format.BlockBytes, Mxfp4Format.BlockBytes);
            var qBlock = q.Slice(g * Mxfp4Format.BlockElements, Mxfp4Format.BlockElements);
            if (scales[g] >= OverflowBlocks.FirstScale)
            {
                sum += OverflowBlocks.Int8Block(block, qBlock, xMaxima[g], scales[g]);
                continue;
            }

            int dot = 0;
            for (int j = 0; j < 16; j++)
            {
                dot += (table[block[j] & 0x0F] * qBlock[j]) + (table[block[j] >> 4] * qBlock[16 + j]);
            }

            sum += dot * (xMaxima[g] * halfScales[scales[g]]);
        }

        return sum / 127.0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Row128(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, ReadOnlySpan<sbyte> q, ReadOnlySpan<double> xMaxima)
    {
        ref byte blockRef = ref MemoryMarshal.GetReference(blocks);
        ref sbyte qRef = ref MemoryMarshal.GetReference(q);
        var table = Vector128.Create(WeightTables.DoubledValues);
        var halfScales = WeightTables.HalfScales;
        double sum = 0;
        for (int g = 0; g < scales.Length; g++)
        {
            var (low, high) = SimdOps.Nibbles(Vector128.LoadUnsafe(ref blockRef, (nuint)(g * Mxfp4Format.BlockBytes)));
            var even = SimdOps.Lookup(table, low);
            var odd = SimdOps.Lookup(table, high);
            nuint qs = (nuint)(g * Mxfp4Format.BlockElements);
            int dot = Dot128(even, Vector128.LoadUnsafe(ref qRef, qs)) + Dot128(odd, Vector128.LoadUnsafe(ref qRef, qs + 16));
            sum += dot * (xMaxima[g] * halfScales[scales[g]]);
        }

        return sum / 127.0;
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
        double sum = 0;
        for (int g = 0; g < scales.Length; g++)
        {
            var (low, high) = SimdOps.Nibbles(Vector128.LoadUnsafe(ref blockRef, (nuint)(g * Mxfp4Format.BlockBytes)));
            var weights = Avx2.Shuffle(table, Vector256.Create(low, high).AsSByte());
            var x = Vector256.LoadUnsafe(ref qRef, (nuint)(g * Mxfp4Format.BlockElements));
            var pairs = Avx2.MultiplyAddAdjacent(Avx2.Abs(weights), Avx2.Sign(x, weights));
            int dot = Vector256.Sum(Avx2.MultiplyAddAdjacent(pairs, ones));
            sum += dot * (xMaxima[g] * halfScales[scales[g]]);
        }

        return sum / 127.0;
    }

    /// <summary>Σ w[i]·x[i] over 16 int8 pairs with |w| ≤ 12 and |x| ≤ 127 (so no intermediate saturates).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Dot128(Vector128<sbyte> weights, Vector128<sbyte> x)
    {
        if (Ssse3.IsSupported)
        {
            var pairs = Ssse3.MultiplyAddAdjacent(Ssse3.Abs(weights), Ssse3.Sign(x, weights));
            return Vector128.Sum(Sse2.MultiplyAddAdjacent(pairs, Vector128.Create((short)1)));
        }

        var products = (Vector128.WidenLower(weights) * Vector128.WidenLower(x)) + (Vector128.WidenUpper(weights) * Vector128.WidenUpper(x));
        return Vector128.Sum(Vector128.WidenLower(products) + Vector128.WidenUpper(products));
    }
}
