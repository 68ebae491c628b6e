using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Mxfp4.Core.Formats;

namespace Mxfp4.Core.MatVec;

/// <summary>
/// The Int8 row kernel. The vector arrives quantized per block (<see cref="VectorPreparation.QuantizeInt8"/>, split
/// into even then odd elements like the Exact kernel's), so position i of a block's 32 values pairs with nibble
/// i (low nibbles of bytes 0..15, then high nibbles). Lane l (0..7) takes positions 4l..4l+3: its integer dot
/// product with the doubled weights (−12..12) is exact, |dot| ≤ 6096, and so is its conversion to float32. With
/// d_g = m_g · 2^(s_g − 128) in float32 (m_g the block's max|x|; exact unless subnormal):
/// <c>lane[l] = fma(dot_l, d_g, lane[l])</c> in float32. After the last block the lanes are added pairwise
/// (l += l+4, l+2, l+1) and the row is that sum, widened, / 127. So every path gives the same bits.
/// Rows holding a scale from <see cref="WideScales.First"/> on (s ≥ 253, or where float32 could overflow for this x)
/// take <see cref="WideRow"/>, the same dot products summed in float64, on every path.
/// The x86 paths use the unsigned×signed multiply-add (pmaddubsw), then pmaddwd, whose int32 lanes are exactly the 8
/// lanes above: the pair kernels with the weights' magnitudes as the unsigned operand and their signs moved onto x
/// (psignb), the four-row kernel with the weights offset by +12 and the offset's share subtracted (one instruction
/// fewer per row). AVX-VNNI is not used: in net8.0 its API is a preview feature. A 32-byte block fills a 256-bit
/// register exactly, and 512-bit operations are double-pumped on Zen 4, so Vector512 runs the 256-bit path. With
/// AVX2, four rows run per pass (<see cref="Rows256x4"/>), sharing each block's load of x, its maximum and its offset
/// correction; the rows left over, and rows next to a wide one, run in pairs (an odd one paired with itself), as on
/// the 128-bit path.
/// </summary>
internal static class Int8DotKernel
{
    /// <summary>Σ|w·q|·m of one block is at most this times max|x| (32 doubled weights of at most 12, |q| ≤ 127).</summary>
    internal const double BlockBound = Mxfp4Format.BlockElements * 12.0 * 127.0;

    /// <summary>Added to every doubled weight to make it unsigned (0..24) for the unsigned×signed multiply-add.</summary>
    private const int WeightOffset = 12;

    /// <summary>Row sums for <c>sums.Length</c> consecutive rows of <paramref name="groups"/> blocks each; rows with a scale ≥ <paramref
    /// name="firstWideScale"/> are summed in float64.</summary>
    internal static void Rows(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, int groups, ReadOnlySpan<sbyte> quantizedX,
        ReadOnlySpan<double> xMaxima, byte firstWideScale, Span<double> sums, KernelPath path)
    {
        int rowBytes = groups * Mxfp4Format.BlockBytes;
        bool avx2 = path is KernelPath.Vector512 or KernelPath.Vector256 && Avx2.IsSupported;
        var schedule = new RowSchedule(blocks, scales, groups, sums.Length, firstWideScale, path == KernelPath.Scalar, groupPass: avx2);
        while (schedule.TryNext(out var step))
        {
            int r = step.Row;
            var rowBlocks = blocks.Slice(r * rowBytes, step.Rows * rowBytes);
            var rowScales = scales.Slice(r * groups, step.Rows * groups);
            switch (step.Kind)
            {
                case RowStepKind.Wide:
                    sums[r] = WideRow(rowBlocks, rowScales, quantizedX, xMaxima);
                    break;
                case RowStepKind.Scalar:
                    sums[r] = RowScalar(rowBlocks, rowScales, quantizedX, xMaxima);
                    break;
                case RowStepKind.Group:
                    Rows256x4(rowBlocks, rowScales, groups, quantizedX, xMaxima, sums.Slice(r, step.Rows));
                    break;
                case RowStepKind.Pair:
                    // A lone row is the second of its own pair.
                    var firstBlocks = rowBlocks[..rowBytes];
                    var secondBlocks = rowBlocks[^rowBytes..];
                    var firstScales = rowScales[..groups];
                    var secondScales = rowScales[^groups..];
                    var (a, b) = avx2
                        ? Rows256(firstBlocks, firstScales, secondBlocks, secondScales, quantizedX, xMaxima)
                        : Rows128(firstBlocks, firstScales, secondBlocks, secondScales, quantizedX, xMaxima);
                    sums[r] = a;
                    if (step.Rows == 2)
                    {
                        sums[r + 1] = b;
                    }

                    break;
                default:
                    throw new UnreachableException($"Row step {step.Kind}.");
            }
        }
    }

    private static double RowScalar(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, ReadOnlySpan<sbyte> q,
        ReadOnlySpan<double> xMaxima)
    {
        var table = WeightTables.DoubledValues;
        var halfScales = WeightTables.HalfScalesF32;
        Span<float> lanes = stackalloc float[8];
        lanes.Clear();
        for (int g = 0; g < scales.Length; g++)
        {
            var block = blocks.Slice(g * Mxfp4Format.BlockBytes, Mxfp4Format.BlockBytes);
            var qBlock = q.Slice(g * Mxfp4Format.BlockElements, Mxfp4Format.BlockElements);
            float scale = (float)xMaxima[g] * halfScales[scales[g]];
            for (int l = 0; l < 8; l++)
            {
                lanes[l] = MathF.FusedMultiplyAdd(Dot(block, qBlock, l), scale, lanes[l]);
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

    /// <summary>
    /// A row on the float64 route: lane[l] += dot_l · (m_g · 2^(s_g − 128)) in float64 (exact products), blocks with
    /// s ≥ 253 adding <see cref="OverflowBlocks.Int8Block"/> to lane 0 instead; lanes added pairwise, then / 127.
    /// </summary>
    private static double WideRow(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, ReadOnlySpan<sbyte> q, ReadOnlySpan<double> xMaxima)
    {
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
                lanes[l] += Dot(block, qBlock, l) * scale;
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

    /// <summary>Lane l's integer dot product: positions 4l..4l+3 of the block.</summary>
    private static int Dot(ReadOnlySpan<byte> block, ReadOnlySpan<sbyte> qBlock, int lane)
    {
        var table = WeightTables.DoubledValues;
        int dot = 0;
        for (int i = 4 * lane; i < (4 * lane) + 4; i++)
        {
            int weight = i < 16 ? table[block[i] & 0x0F] : table[block[i - 16] >> 4];
            dot += weight * qBlock[i];
        }

        return dot;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double, double) Rows128(ReadOnlySpan<byte> blocksA, ReadOnlySpan<byte> scalesA, ReadOnlySpan<byte> blocksB,
        ReadOnlySpan<byte> scalesB, ReadOnlySpan<sbyte> q, ReadOnlySpan<double> xMaxima)
    {
        ref byte blockA = ref MemoryMarshal.GetReference(blocksA);
        ref byte blockB = ref MemoryMarshal.GetReference(blocksB);
        ref byte scaleA = ref MemoryMarshal.GetReference(scalesA);
        ref byte scaleB = ref MemoryMarshal.GetReference(scalesB);
        ref sbyte qRef = ref MemoryMarshal.GetReference(q);
        ref double maxima = ref MemoryMarshal.GetReference(xMaxima);
        ref float halfScales = ref MemoryMarshal.GetArrayDataReference(WeightTables.HalfScalesF32);
        var table = Vector128.Create(WeightTables.DoubledValues);

        // a0 / b0 hold lanes 0..3 (even positions) of the two rows, a1 / b1 lanes 4..7.
        Vector128<float> a0 = default, a1 = default, b0 = default, b1 = default;
        for (int g = 0; g < scalesA.Length; g++)
        {
            nuint qs = (nuint)(g * Mxfp4Format.BlockElements);
            var even = Vector128.LoadUnsafe(ref qRef, qs);
            var odd = Vector128.LoadUnsafe(ref qRef, qs + 16);
            float m = (float)Unsafe.Add(ref maxima, g);

            var (lowA, highA) = SimdOps.Nibbles(Vector128.LoadUnsafe(ref blockA, (nuint)(g * Mxfp4Format.BlockBytes)));
            var sA = Vector128.Create(m * Unsafe.Add(ref halfScales, Unsafe.Add(ref scaleA, g)));
            a0 = SimdOps.FusedMultiplyAdd(Vector128.ConvertToSingle(Dot4(SimdOps.Lookup(table, lowA), even)), sA, a0);
            a1 = SimdOps.FusedMultiplyAdd(Vector128.ConvertToSingle(Dot4(SimdOps.Lookup(table, highA), odd)), sA, a1);

            var (lowB, highB) = SimdOps.Nibbles(Vector128.LoadUnsafe(ref blockB, (nuint)(g * Mxfp4Format.BlockBytes)));
            var sB = Vector128.Create(m * Unsafe.Add(ref halfScales, Unsafe.Add(ref scaleB, g)));
            b0 = SimdOps.FusedMultiplyAdd(Vector128.ConvertToSingle(Dot4(SimdOps.Lookup(table, lowB), even)), sB, b0);
            b1 = SimdOps.FusedMultiplyAdd(Vector128.ConvertToSingle(Dot4(SimdOps.Lookup(table, highB), odd)), sB, b1);
        }

        return (SimdOps.PairwiseSum(a0 + a1) / 127.0, SimdOps.PairwiseSum(b0 + b1) / 127.0);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe (double, double) Rows256(ReadOnlySpan<byte> blocksA, ReadOnlySpan<byte> scalesA, ReadOnlySpan<byte> blocksB,
        ReadOnlySpan<byte> scalesB, ReadOnlySpan<sbyte> q, ReadOnlySpan<double> xMaxima)
    {
        ref byte scaleA = ref MemoryMarshal.GetReference(scalesA);
        ref byte scaleB = ref MemoryMarshal.GetReference(scalesB);
        ref sbyte qRef = ref MemoryMarshal.GetReference(q);
        ref double maxima = ref MemoryMarshal.GetReference(xMaxima);
        ref float halfScales = ref MemoryMarshal.GetArrayDataReference(WeightTables.HalfScalesF32);
        var table128 = Vector128.Create(WeightTables.DoubledValues);
        var table = Vector256.Create(table128, table128);
        var ones = Vector256.Create((short)1);
        var mask = Vector256.Create((byte)0x0F);

        // The upper copy of a block's 16 bytes shifts right by 4 to bring its high nibbles down.
        var shifts = Vector256.Create(0UL, 0UL, 4UL, 4UL);

        // Lanes 0..7 of the two rows.
        Vector256<float> a = default, b = default;
        fixed (byte* blockA = blocksA)
        fixed (byte* blockB = blocksB)
        {
            for (int g = 0; g < scalesA.Length; g++)
            {
                var x = Vector256.LoadUnsafe(ref qRef, (nuint)(g * Mxfp4Format.BlockElements));
                float m = (float)Unsafe.Add(ref maxima, g);

                var weightsA = Avx2.Shuffle(table, Nibbles(blockA + (g * Mxfp4Format.BlockBytes), shifts, mask));
                var dotsA = Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Avx2.Abs(weightsA), Avx2.Sign(x, weightsA)), ones);
                a = SimdOps.FusedMultiplyAdd(Avx.ConvertToVector256Single(dotsA),
                    Vector256.Create(m * Unsafe.Add(ref halfScales, Unsafe.Add(ref scaleA, g))), a);

                var weightsB = Avx2.Shuffle(table, Nibbles(blockB + (g * Mxfp4Format.BlockBytes), shifts, mask));
                var dotsB = Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(Avx2.Abs(weightsB), Avx2.Sign(x, weightsB)), ones);
                b = SimdOps.FusedMultiplyAdd(Avx.ConvertToVector256Single(dotsB),
                    Vector256.Create(m * Unsafe.Add(ref halfScales, Unsafe.Add(ref scaleB, g))), b);
            }
        }

        return (SimdOps.PairwiseSum(a.GetLower() + a.GetUpper()) / 127.0, SimdOps.PairwiseSum(b.GetLower() + b.GetUpper()) / 127.0);
    }

    /// <summary>
    /// Four consecutive rows (AVX2), sharing each block's load of x, its maximum and its offset correction. The
    /// weights are looked up offset by +12 (0..24, so pmaddubsw needs no sign moved onto x) and the offset's share,
    /// 12·Σ q over each lane's 4 positions, is subtracted from the exact int32 dot products: the lanes get exactly the
    /// integers of <see cref="Rows256"/>, and d = m·2^(s−128) is the same float32 product, so the bits are the same.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Rows256x4(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, int groups, ReadOnlySpan<sbyte> q,
        ReadOnlySpan<double> xMaxima, Span<double> sums)
    {
        var table128 = Vector128.Create(WeightTables.DoubledValues) + Vector128.Create((sbyte)WeightOffset);
        var table = Vector256.Create(table128, table128);
        var offsets = Vector256.Create((byte)WeightOffset).AsSByte();
        var ones = Vector256.Create((short)1);
        var mask = Vector256.Create((byte)0x0F);
        var shifts = Vector256.Create(0UL, 0UL, 4UL, 4UL);
        nuint rowBytes = (nuint)(groups * Mxfp4Format.BlockBytes);
        nuint rowScales = (nuint)groups;

        // Lanes 0..7 of the four rows.
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        fixed (byte* blockBase = blocks)
        fixed (byte* scaleBase = scales)
        fixed (sbyte* qBase = q)
        fixed (double* maximaBase = xMaxima)
        fixed (float* halfScales = WeightTables.HalfScalesF32)
        {
            Rows256x4Loop(blockBase, scaleBase, qBase, maximaBase, halfScales, groups, rowBytes, rowScales, table, offsets, ones, mask,
                shifts, ref a0, ref a1, ref a2, ref a3);
        }

        sums[0] = SimdOps.PairwiseSum(a0.GetLower() + a0.GetUpper()) / 127.0;
        sums[1] = SimdOps.PairwiseSum(a1.GetLower() + a1.GetUpper()) / 127.0;
        sums[2] = SimdOps.PairwiseSum(a2.GetLower() + a2.GetUpper()) / 127.0;
        sums[3] = SimdOps.PairwiseSum(a3.GetLower() + a3.GetUpper()) / 127.0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Rows256x4Loop(byte* block, byte* scale, sbyte* q, double* maxima, float* halfScales, int groups,
        nuint rowBytes, nuint rowScales, Vector256<sbyte> table, Vector256<sbyte> offsets, Vector256<short> ones, Vector256<byte> mask,
        Vector256<ulong> shifts, ref Vector256<float> l0, ref Vector256<float> l1, ref Vector256<float> l2, ref Vector256<float> l3)
    {
        Vector256<float> a0 = l0, a1 = l1, a2 = l2, a3 = l3;
        for (int g = 0; g < groups; g++)
        {
            var x = Avx.LoadVector256(q);
            var correction = Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(offsets.AsByte(), x), ones);
            var m = Vector256.Create((float)*maxima);
            a0 = Step(block, halfScales + scale[0], x, correction, m, table, ones, mask, shifts, a0);
            a1 = Step(block + rowBytes, halfScales + scale[rowScales], x, correction, m, table, ones, mask, shifts, a1);
            a2 = Step(block + (2 * rowBytes), halfScales + scale[2 * rowScales], x, correction, m, table, ones, mask, shifts, a2);
            a3 = Step(block + (3 * rowBytes), halfScales + scale[3 * rowScales], x, correction, m, table, ones, mask, shifts, a3);
            block += Mxfp4Format.BlockBytes;
            scale++;
            q += Mxfp4Format.BlockElements;
            maxima++;
        }

        l0 = a0;
        l1 = a1;
        l2 = a2;
        l3 = a3;
    }

    /// <summary>lanes + (dots − correction)·(m·scale) for one row's block: the exact integer dot products of
    /// <see cref="Rows256"/>, then one fused multiply-add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> Step(byte* block, float* scale, Vector256<sbyte> x, Vector256<int> correction,
        Vector256<float> m, Vector256<sbyte> table, Vector256<short> ones, Vector256<byte> mask, Vector256<ulong> shifts,
        Vector256<float> lanes)
    {
        var weights = Avx2.Shuffle(table, Nibbles(block, shifts, mask));
        var dots = Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(weights.AsByte(), x), ones) - correction;
        return SimdOps.FusedMultiplyAdd(Avx.ConvertToVector256Single(dots), m * Vector256.Create(*scale), lanes);
    }

    /// <summary>The 16 low nibbles of a block in the lower half, its 16 high nibbles in the upper half (one broadcast load, one variable
    /// shift).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<sbyte> Nibbles(byte* block, Vector256<ulong> shifts, Vector256<byte> mask)
    {
        var both = Avx2.BroadcastVector128ToVector256(block);
        return (Avx2.ShiftRightLogicalVariable(both.AsUInt64(), shifts).AsByte() & mask).AsSByte();
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
}
