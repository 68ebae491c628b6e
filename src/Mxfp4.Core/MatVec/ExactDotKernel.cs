using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Mxfp4.Core.Formats;

namespace Mxfp4.Core.MatVec;

/// <summary>
/// The Exact row kernel, all in float32. Its arithmetic is fixed independently of vector width, so every path gives
/// the same bits. The vector arrives split per block into its 16 even then 16 odd elements
/// (<see cref="VectorPreparation"/>), which lines elements up with the nibbles that hold them. For block g and lane j
/// (0..15), with the doubled weights a = low nibble of byte j, c = high nibble of byte j, x′ the deinterleaved block
/// and S_g = 2^(s_g − 128) as float32:
/// <c>p = fma(c, x′[16+j], a·x′[j])</c>, <c>lane[j] = fma(p, S_g, lane[j])</c>.
/// After the last block the 16 lanes are added pairwise (j += j+8, then j+4, j+2, j+1) and the row's sum is that
/// float32, widened. Multiplying by S_g is exact (a power of two) unless the result is subnormal.
/// Rows holding a block with s ≥ 253, or a scale at which float32 could overflow for this x
/// (<see cref="WideScales.First"/>), take <see cref="OverflowBlocks.ExactRow"/> instead, on every path.
/// The vector paths run two rows per pass, sharing each load of x and overlapping the two accumulation chains (an
/// odd last row runs paired with itself); with AVX-512, four rows (<see cref="Rows512x4"/>) where none of them is wide.
/// </summary>
internal static class ExactDotKernel
{
    /// <summary>Σ|w·x′| of one block is at most this times max|x| (32 doubled weights of at most 12).</summary>
    internal const double BlockBound = Mxfp4Format.BlockElements * 12.0;

    /// <summary>Row sums for <c>sums.Length</c> consecutive rows of <paramref name="groups"/> blocks each; rows with a scale ≥ <paramref
    /// name="firstWideScale"/> are summed in float64.</summary>
    internal static void Rows(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, int groups, ReadOnlySpan<float> preparedX,
        byte firstWideScale, Span<double> sums, KernelPath path)
    {
        int rowBytes = groups * Mxfp4Format.BlockBytes;
        var schedule = new RowSchedule(blocks, scales, groups, sums.Length, firstWideScale, path == KernelPath.Scalar,
            groupPass: path == KernelPath.Vector512 && Avx512F.IsSupported);
        while (schedule.TryNext(out var step))
        {
            int r = step.Row;
            var rowBlocks = blocks.Slice(r * rowBytes, step.Rows * rowBytes);
            var rowScales = scales.Slice(r * groups, step.Rows * groups);
            switch (step.Kind)
            {
                case RowStepKind.Wide:
                    sums[r] = OverflowBlocks.ExactRow(rowBlocks, rowScales, preparedX);
                    break;
                case RowStepKind.Scalar:
                    sums[r] = RowScalar(rowBlocks, rowScales, preparedX);
                    break;
                case RowStepKind.Group:
                    Rows512x4(rowBlocks, rowScales, groups, preparedX, sums.Slice(r, step.Rows));
                    break;
                case RowStepKind.Pair:
                    // A lone row is the second of its own pair.
                    var firstBlocks = rowBlocks[..rowBytes];
                    var secondBlocks = rowBlocks[^rowBytes..];
                    var firstScales = rowScales[..groups];
                    var secondScales = rowScales[^groups..];
                    var (a, b) = path switch
                    {
                        KernelPath.Vector512 => Rows512(firstBlocks, firstScales, secondBlocks, secondScales, preparedX),
                        KernelPath.Vector256 => Rows256(firstBlocks, firstScales, secondBlocks, secondScales, preparedX),
                        _ => Rows128(firstBlocks, firstScales, secondBlocks, secondScales, preparedX),
                    };
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

    private static double RowScalar(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, ReadOnlySpan<float> x)
    {
        var table = WeightTables.DoubledFloats;
        var halfScales = WeightTables.HalfScalesF32;
        Span<float> lanes = stackalloc float[16];
        lanes.Clear();
        for (int g = 0; g < scales.Length; g++)
        {
            var block = blocks.Slice(g * Mxfp4Format.BlockBytes, Mxfp4Format.BlockBytes);
            var xBlock = x.Slice(g * Mxfp4Format.BlockElements, Mxfp4Format.BlockElements);
            float scale = halfScales[scales[g]];
            for (int j = 0; j < 16; j++)
            {
                float a = table[block[j] & 0x0F];
                float c = table[block[j] >> 4];
                float p = MathF.FusedMultiplyAdd(c, xBlock[16 + j], a * xBlock[j]);
                lanes[j] = MathF.FusedMultiplyAdd(p, scale, lanes[j]);
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
    private static (double, double) Rows128(ReadOnlySpan<byte> blocksA, ReadOnlySpan<byte> scalesA, ReadOnlySpan<byte> blocksB,
        ReadOnlySpan<byte> scalesB, ReadOnlySpan<float> x)
    {
        ref byte blockA = ref MemoryMarshal.GetReference(blocksA);
        ref byte blockB = ref MemoryMarshal.GetReference(blocksB);
        ref byte scaleA = ref MemoryMarshal.GetReference(scalesA);
        ref byte scaleB = ref MemoryMarshal.GetReference(scalesB);
        ref float xRef = ref MemoryMarshal.GetReference(x);
        ref float halfScales = ref MemoryMarshal.GetArrayDataReference(WeightTables.HalfScalesF32);
        var table = Vector128.Create(WeightTables.DoubledValues);

        // a{k} / b{k} hold lanes 4k..4k+3 of the two rows.
        Vector128<float> a0 = default, a1 = default, a2 = default, a3 = default;
        Vector128<float> b0 = default, b1 = default, b2 = default, b3 = default;
        for (int g = 0; g < scalesA.Length; g++)
        {
            nuint xs = (nuint)(g * Mxfp4Format.BlockElements);
            var x0 = Vector128.LoadUnsafe(ref xRef, xs);
            var x1 = Vector128.LoadUnsafe(ref xRef, xs + 4);
            var x2 = Vector128.LoadUnsafe(ref xRef, xs + 8);
            var x3 = Vector128.LoadUnsafe(ref xRef, xs + 12);
            var x4 = Vector128.LoadUnsafe(ref xRef, xs + 16);
            var x5 = Vector128.LoadUnsafe(ref xRef, xs + 20);
            var x6 = Vector128.LoadUnsafe(ref xRef, xs + 24);
            var x7 = Vector128.LoadUnsafe(ref xRef, xs + 28);

            var (lowA, highA) = SimdOps.Nibbles(Vector128.LoadUnsafe(ref blockA, (nuint)(g * Mxfp4Format.BlockBytes)));
            var evenA = SimdOps.Lookup(table, lowA);
            var oddA = SimdOps.Lookup(table, highA);
            var sA = Vector128.Create(Unsafe.Add(ref halfScales, Unsafe.Add(ref scaleA, g)));
            a0 = SimdOps.FusedMultiplyAdd(SimdOps.FusedMultiplyAdd(SimdOps.WidenQuarter(oddA, 0), x4, SimdOps.WidenQuarter(evenA, 0) * x0),
                sA, a0);
            a1 = SimdOps.FusedMultiplyAdd(SimdOps.FusedMultiplyAdd(SimdOps.WidenQuarter(oddA, 1), x5, SimdOps.WidenQuarter(evenA, 1) * x1),
                sA, a1);
            a2 = SimdOps.FusedMultiplyAdd(SimdOps.FusedMultiplyAdd(SimdOps.WidenQuarter(oddA, 2), x6, SimdOps.WidenQuarter(evenA, 2) * x2),
                sA, a2);
            a3 = SimdOps.FusedMultiplyAdd(SimdOps.FusedMultiplyAdd(SimdOps.WidenQuarter(oddA, 3), x7, SimdOps.WidenQuarter(evenA, 3) * x3),
                sA, a3);

            var (lowB, highB) = SimdOps.Nibbles(Vector128.LoadUnsafe(ref blockB, (nuint)(g * Mxfp4Format.BlockBytes)));
            var evenB = SimdOps.Lookup(table, lowB);
            var oddB = SimdOps.Lookup(table, highB);
            var sB = Vector128.Create(Unsafe.Add(ref halfScales, Unsafe.Add(ref scaleB, g)));
            b0 = SimdOps.FusedMultiplyAdd(SimdOps.FusedMultiplyAdd(SimdOps.WidenQuarter(oddB, 0), x4, SimdOps.WidenQuarter(evenB, 0) * x0),
                sB, b0);
            b1 = SimdOps.FusedMultiplyAdd(SimdOps.FusedMultiplyAdd(SimdOps.WidenQuarter(oddB, 1), x5, SimdOps.WidenQuarter(evenB, 1) * x1),
                sB, b1);
            b2 = SimdOps.FusedMultiplyAdd(SimdOps.FusedMultiplyAdd(SimdOps.WidenQuarter(oddB, 2), x6, SimdOps.WidenQuarter(evenB, 2) * x2),
                sB, b2);
            b3 = SimdOps.FusedMultiplyAdd(SimdOps.FusedMultiplyAdd(SimdOps.WidenQuarter(oddB, 3), x7, SimdOps.WidenQuarter(evenB, 3) * x3),
                sB, b3);
        }

        return (SimdOps.PairwiseSum((a0 + a2) + (a1 + a3)), SimdOps.PairwiseSum((b0 + b2) + (b1 + b3)));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double, double) Rows256(ReadOnlySpan<byte> blocksA, ReadOnlySpan<byte> scalesA, ReadOnlySpan<byte> blocksB,
        ReadOnlySpan<byte> scalesB, ReadOnlySpan<float> x)
    {
        ref byte blockA = ref MemoryMarshal.GetReference(blocksA);
        ref byte blockB = ref MemoryMarshal.GetReference(blocksB);
        ref byte scaleA = ref MemoryMarshal.GetReference(scalesA);
        ref byte scaleB = ref MemoryMarshal.GetReference(scalesB);
        ref float xRef = ref MemoryMarshal.GetReference(x);
        ref float halfScales = ref MemoryMarshal.GetArrayDataReference(WeightTables.HalfScalesF32);
        var table = Vector128.Create(WeightTables.DoubledValues);

        // a0 / b0 hold lanes 0..7 of the two rows, a1 / b1 lanes 8..15.
        Vector256<float> a0 = default, a1 = default, b0 = default, b1 = default;
        for (int g = 0; g < scalesA.Length; g++)
        {
            nuint xs = (nuint)(g * Mxfp4Format.BlockElements);
            var x0 = Vector256.LoadUnsafe(ref xRef, xs);
            var x1 = Vector256.LoadUnsafe(ref xRef, xs + 8);
            var x2 = Vector256.LoadUnsafe(ref xRef, xs + 16);
            var x3 = Vector256.LoadUnsafe(ref xRef, xs + 24);

            var (lowA, highA) = SimdOps.Nibbles(Vector128.LoadUnsafe(ref blockA, (nuint)(g * Mxfp4Format.BlockBytes)));
            var evenA = SimdOps.Lookup(table, lowA);
            var oddA = SimdOps.Lookup(table, highA);
            var sA = Vector256.Create(Unsafe.Add(ref halfScales, Unsafe.Add(ref scaleA, g)));
            a0 = SimdOps.FusedMultiplyAdd(
                SimdOps.FusedMultiplyAdd(SimdOps.WidenHalf(oddA, upper: false), x2, SimdOps.WidenHalf(evenA, upper: false) * x0), sA, a0);
            a1 = SimdOps.FusedMultiplyAdd(
                SimdOps.FusedMultiplyAdd(SimdOps.WidenHalf(oddA, upper: true), x3, SimdOps.WidenHalf(evenA, upper: true) * x1), sA, a1);

            var (lowB, highB) = SimdOps.Nibbles(Vector128.LoadUnsafe(ref blockB, (nuint)(g * Mxfp4Format.BlockBytes)));
            var evenB = SimdOps.Lookup(table, lowB);
            var oddB = SimdOps.Lookup(table, highB);
            var sB = Vector256.Create(Unsafe.Add(ref halfScales, Unsafe.Add(ref scaleB, g)));
            b0 = SimdOps.FusedMultiplyAdd(
                SimdOps.FusedMultiplyAdd(SimdOps.WidenHalf(oddB, upper: false), x2, SimdOps.WidenHalf(evenB, upper: false) * x0), sB, b0);
            b1 = SimdOps.FusedMultiplyAdd(
                SimdOps.FusedMultiplyAdd(SimdOps.WidenHalf(oddB, upper: true), x3, SimdOps.WidenHalf(evenB, upper: true) * x1), sB, b1);
        }

        var a = a0 + a1;
        var b = b0 + b1;
        return (SimdOps.PairwiseSum(a.GetLower() + a.GetUpper()), SimdOps.PairwiseSum(b.GetLower() + b.GetUpper()));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double, double) Rows512(ReadOnlySpan<byte> blocksA, ReadOnlySpan<byte> scalesA, ReadOnlySpan<byte> blocksB,
        ReadOnlySpan<byte> scalesB, ReadOnlySpan<float> x)
    {
        ref byte blockA = ref MemoryMarshal.GetReference(blocksA);
        ref byte blockB = ref MemoryMarshal.GetReference(blocksB);
        ref byte scaleA = ref MemoryMarshal.GetReference(scalesA);
        ref byte scaleB = ref MemoryMarshal.GetReference(scalesB);
        ref float xRef = ref MemoryMarshal.GetReference(x);
        ref float halfScales = ref MemoryMarshal.GetArrayDataReference(WeightTables.HalfScalesF32);
        var table = Vector512.Create(WeightTables.DoubledFloats);
        var table128 = Vector128.Create(WeightTables.DoubledValues);

        // Lanes 0..15 of the two rows.
        Vector512<float> a = default, b = default;
        for (int g = 0; g < scalesA.Length; g++)
        {
            nuint xs = (nuint)(g * Mxfp4Format.BlockElements);
            var even = Vector512.LoadUnsafe(ref xRef, xs);
            var odd = Vector512.LoadUnsafe(ref xRef, xs + 16);

            var (lowA, highA) = Weights(Vector128.LoadUnsafe(ref blockA, (nuint)(g * Mxfp4Format.BlockBytes)), table, table128);
            var pA = SimdOps.FusedMultiplyAdd(highA, odd, lowA * even);
            a = SimdOps.FusedMultiplyAdd(pA, Vector512.Create(Unsafe.Add(ref halfScales, Unsafe.Add(ref scaleA, g))), a);

            var (lowB, highB) = Weights(Vector128.LoadUnsafe(ref blockB, (nuint)(g * Mxfp4Format.BlockBytes)), table, table128);
            var pB = SimdOps.FusedMultiplyAdd(highB, odd, lowB * even);
            b = SimdOps.FusedMultiplyAdd(pB, Vector512.Create(Unsafe.Add(ref halfScales, Unsafe.Add(ref scaleB, g))), b);
        }

        var a8 = a.GetLower() + a.GetUpper();
        var b8 = b.GetLower() + b.GetUpper();
        return (SimdOps.PairwiseSum(a8.GetLower() + a8.GetUpper()), SimdOps.PairwiseSum(b8.GetLower() + b8.GetUpper()));
    }

    /// <summary>Four consecutive rows with AVX-512, each exactly as <see cref="Rows512"/> sums it, sharing each load of x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Rows512x4(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, int groups, ReadOnlySpan<float> x,
        Span<double> sums)
    {
        var table = Vector512.Create(WeightTables.DoubledFloats);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
        fixed (byte* blockBase = blocks)
        fixed (byte* scaleBase = scales)
        fixed (float* xBase = x)
        fixed (float* halfScales = WeightTables.HalfScalesF32)
        {
            Rows512x4Loop(blockBase, scaleBase, xBase, halfScales, groups, table, ref a0, ref a1, ref a2, ref a3);
        }

        sums[0] = Reduce(a0);
        sums[1] = Reduce(a1);
        sums[2] = Reduce(a2);
        sums[3] = Reduce(a3);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Rows512x4Loop(byte* block, byte* scale, float* x, float* halfScales, int groups, Vector512<float> table,
        ref Vector512<float> l0, ref Vector512<float> l1, ref Vector512<float> l2, ref Vector512<float> l3)
    {
        nuint rowBytes = (nuint)(groups * Mxfp4Format.BlockBytes);
        nuint rowScales = (nuint)groups;
        Vector512<float> a0 = l0, a1 = l1, a2 = l2, a3 = l3;
        for (int g = 0; g < groups; g++)
        {
            var even = Vector512.Load(x);
            var odd = Vector512.Load(x + 16);
            a0 = Step(block, halfScales + scale[0], even, odd, table, a0);
            a1 = Step(block + rowBytes, halfScales + scale[rowScales], even, odd, table, a1);
            a2 = Step(block + (2 * rowBytes), halfScales + scale[2 * rowScales], even, odd, table, a2);
            a3 = Step(block + (3 * rowBytes), halfScales + scale[3 * rowScales], even, odd, table, a3);
            block += Mxfp4Format.BlockBytes;
            scale++;
            x += Mxfp4Format.BlockElements;
        }

        l0 = a0;
        l1 = a1;
        l2 = a2;
        l3 = a3;
    }

    /// <summary>lanes = fma(fma(c, x′odd, a·x′even), S, lanes) for one row's block, as in <see cref="Rows512"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<float> Step(byte* block, float* scale, Vector512<float> even, Vector512<float> odd,
        Vector512<float> table, Vector512<float> lanes)
    {
        var indices = Avx512F.ConvertToVector512Int32(Vector128.Load(block));
        var low = Avx512F.PermuteVar16x32(table, indices);
        var high = Avx512F.PermuteVar16x32(table, Avx512F.ShiftRightLogical(indices, 4));
        return Avx512F.FusedMultiplyAdd(Avx512F.FusedMultiplyAdd(high, odd, low * even), Vector512.Create(*scale), lanes);
    }

    /// <summary>The 16 lanes added pairwise (j += j+8, j+4, j+2, j+1), as every path does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Reduce(Vector512<float> lanes)
    {
        var eight = lanes.GetLower() + lanes.GetUpper();
        return SimdOps.PairwiseSum(eight.GetLower() + eight.GetUpper());
    }

    /// <summary>
    /// The doubled weights of a block's low and high nibbles as floats. With AVX-512 a float table lookup straight from
    /// the bytes widened to int32 (vpermps reads only the low 4 bits of each index); elsewhere the int8 lookup widened.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float> Low, Vector512<float> High) Weights(Vector128<byte> packed, Vector512<float> table,
        Vector128<sbyte> table128)
    {
        if (Avx512F.IsSupported)
        {
            var indices = Avx512F.ConvertToVector512Int32(packed);
            return (Avx512F.PermuteVar16x32(table, indices), Avx512F.PermuteVar16x32(table, Avx512F.ShiftRightLogical(indices, 4)));
        }

        var (low, high) = SimdOps.Nibbles(packed);
        return (SimdOps.WidenAll(SimdOps.Lookup(table128, low)), SimdOps.WidenAll(SimdOps.Lookup(table128, high)));
    }
}
