using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Quantization;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Core.Formats;

public static partial class Mxfp4Encoder
{
    /// <summary>
    /// Encodes the columns of a tile of 32 rows: block j holds element k from <c>tile[k·stride + j]</c> (k &lt; 32), as
    /// transformers' <c>[E, in, out]</c> expert weights are encoded along <c>in</c>, with no transposed copy. Block j
    /// goes to <c>blocks + j·blockStride</c> (16 bytes), its scale to <c>scales[j·scaleStride]</c>; the result is the
    /// one <see cref="Encode(ReadOnlySpan{float}, Span{byte}, Span{byte}, ScaleRule)"/> gives for the column as a
    /// contiguous block. Returns how many blocks held NaN or ±Inf.
    /// </summary>
    /// <param name="tile">F32, BF16 or F16 elements (<paramref name="dtype"/>); <paramref name="stride"/> is in elements.</param>
    /// <param name="vertical">Whether BF16 and F32 take the AVX-512BW kernel that encodes 32 columns at once (tests force
    /// both).</param>
    internal static unsafe int EncodeColumns(void* tile, SafetensorsDType dtype, nint stride, int columns, byte* blocks, nint blockStride,
        byte* scales, nint scaleStride, ScaleRule rule, bool vertical)
    {
        if (dtype is SafetensorsDType.BF16 or SafetensorsDType.F32 && vertical && columns >= VerticalColumns)
        {
            if (!EncodesBFloat16InPlace)
            {
                throw new PlatformNotSupportedException("Encoding columns in place needs AVX-512BW.");
            }

            return dtype == SafetensorsDType.BF16
                ? EncodeColumnsVector512<BFloat16Rows>((byte*)tile, stride, columns, blocks, blockStride, scales, scaleStride, rule)
                : EncodeColumnsVector512<SingleRows>((byte*)tile, stride, columns, blocks, blockStride, scales, scaleStride, rule);
        }

        return EncodeColumnsGathered(tile, dtype, stride, columns, blocks, blockStride, scales, scaleStride, rule);
    }

    /// <summary>How the column kernel reads row k of a tile: 32 elements as 16-bit patterns, and one element as float32.</summary>
    private unsafe interface IColumnRows
    {
        static abstract int ElementBytes { get; }

        /// <summary>BF16 as it is; float32 cut to its top 16 bits with a sticky bit, as <see cref="TryEncodeBlock16"/> takes it.</summary>
        static abstract Vector512<ushort> Row(byte* tile, nint stride, int k);

        static abstract float Element(byte* tile, nint index);
    }

    private readonly unsafe struct BFloat16Rows : IColumnRows
    {
        public static int ElementBytes => 2;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<ushort> Row(byte* tile, nint stride, int k) => Vector512.Load((ushort*)tile + (k * stride));

        public static float Element(byte* tile, nint index) => BitConverter.UInt32BitsToSingle((uint)((ushort*)tile)[index] << 16);
    }

    private readonly unsafe struct SingleRows : IColumnRows
    {
        public static int ElementBytes => 4;

        /// <summary>Bit 16 OR-ed with whether any lower bit is set, then the high halves of both vectors by one VPERMT2W.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<ushort> Row(byte* tile, nint stride, int k)
        {
            uint* row = (uint*)tile + (k * stride);
            Vector512<uint> v0 = Vector512.Load(row);
            Vector512<uint> v1 = Vector512.Load(row + 16);
            v0 |= (v0 & Vector512.Create(0xFFFFu)) + Vector512.Create(0xFFFFu);
            v1 |= (v1 & Vector512.Create(0xFFFFu)) + Vector512.Create(0xFFFFu);
            Vector512<ushort> highHalves = Vector512.Create(
                (ushort)1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31,
                33, 35, 37, 39, 41, 43, 45, 47, 49, 51, 53, 55, 57, 59, 61, 63);
            return Avx512BW.PermuteVar32x16x2(v0.AsUInt16(), highHalves, v1.AsUInt16());
        }

        public static float Element(byte* tile, nint index) => ((float*)tile)[index];
    }

    /// <summary>Columns one 512-bit vector of BF16 holds, which the vertical kernel encodes at once.</summary>
    private const int VerticalColumns = 32;

    /// <summary>
    /// Copies up to 32 columns at a time into a contiguous float32 buffer on the stack (BF16 and F16 widen exactly), encodes
    /// them with <see cref="ActivePath"/> and scatters the blocks: any dtype, any machine, any column count.
    /// </summary>
    private static unsafe int EncodeColumnsGathered(void* tile, SafetensorsDType dtype, nint stride, int columns, byte* blocks,
        nint blockStride, byte* scales, nint scaleStride, ScaleRule rule)
    {
        const int Group = 32;
        Span<float> values = stackalloc float[Group * Mxfp4Format.BlockElements];
        Span<byte> packed = stackalloc byte[Group * Mxfp4Format.BlockBytes];
        Span<byte> scaleBytes = stackalloc byte[Group];
        int nonFinite = 0;
        for (int first = 0; first < columns; first += Group)
        {
            int count = Math.Min(Group, columns - first);
            for (int k = 0; k < Mxfp4Format.BlockElements; k++)
            {
                nint row = (k * stride) + first;
                Gather(tile, dtype, row, count, values[k..]);
            }

            nonFinite += Encode(values[..(count * Mxfp4Format.BlockElements)], packed[..(count * Mxfp4Format.BlockBytes)],
                scaleBytes[..count], rule, ActivePath);
            for (int j = 0; j < count; j++)
            {
                packed.Slice(j * Mxfp4Format.BlockBytes, Mxfp4Format.BlockBytes)
                    .CopyTo(new Span<byte>(blocks + ((first + j) * blockStride), Mxfp4Format.BlockBytes));
                scales[(first + j) * scaleStride] = scaleBytes[j];
            }
        }

        return nonFinite;
    }

    /// <summary>Elements [row, row + count) of the tile, widened, into every 32nd float of <paramref name="values"/>.</summary>
    private static unsafe void Gather(void* tile, SafetensorsDType dtype, nint row, int count, Span<float> values)
    {
        switch (dtype)
        {
            case SafetensorsDType.BF16:
                for (int j = 0; j < count; j++)
                {
                    values[j * Mxfp4Format.BlockElements] = BitConverter.UInt32BitsToSingle((uint)((ushort*)tile)[row + j] << 16);
                }

                break;
            case SafetensorsDType.F16:
                for (int j = 0; j < count; j++)
                {
                    values[j * Mxfp4Format.BlockElements] = (float)((Half*)tile)[row + j];
                }

                break;
            case SafetensorsDType.F32:
                for (int j = 0; j < count; j++)
                {
                    values[j * Mxfp4Format.BlockElements] = ((float*)tile)[row + j];
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Only F32, BF16 and F16 are encoded.");
        }
    }

    /// <summary>
    /// 32 columns at a time, the last group moved back to end at the last column (its first columns are encoded again,
    /// to the same bytes, and not counted twice).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int EncodeColumnsVector512<TRows>(byte* tile, nint stride, int columns, byte* blocks, nint blockStride,
        byte* scales, nint scaleStride, ScaleRule rule)
        where TRows : struct, IColumnRows
    {
        ushort roundUp = rule == ScaleRule.Up ? (ushort)0x3F : (ushort)0;
        int nonFinite = 0;
        for (int done = 0; done < columns;)
        {
            int first = Math.Min(done, columns - VerticalColumns);
            nonFinite += Encode32Columns<TRows>(tile + (first * TRows.ElementBytes), stride, blocks + (first * blockStride), blockStride,
                scales + (first * scaleStride), scaleStride, roundUp, rule, done - first);
            done = first + VerticalColumns;
        }

        return nonFinite;
    }

    /// <summary>
    /// Rows as <typeparamref name="TRows"/> reads them (BF16, or F32 cut to 16 bits with a sticky bit, which keeps every
    /// decision of the rule). Lane j of every vector is column j: the lanes' maximum magnitude over the 32 rows is each
    /// block's amax, and every row is then coded as <see cref="TryEncodeBlock16"/> codes a block's elements, with each
    /// lane's own scale. Four rows' nibbles make one 16-bit word per lane (bytes 2m and 2m+1 of the block); an 8×8
    /// transpose of those words in each 128-bit lane (unpacks of 16, 32 and 64 bits) turns the eight words of a column
    /// into its 16-byte block. Blocks with a NaN or ±Inf are zeros with scale 255; those with a scale byte below 3 go to
    /// the reference. Returns the non-finite blocks among columns from <paramref name="countFrom"/> on.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe int Encode32Columns<TRows>(byte* tile, nint stride, byte* blocks, nint blockStride, byte* scales,
        nint scaleStride, ushort roundUp, ScaleRule rule, int countFrom)
        where TRows : struct, IColumnRows
    {
        var absMask = Vector512.Create((ushort)0x7FFF);
        Vector512<ushort> amax = Vector512<ushort>.Zero;
        for (int k = 0; k < Mxfp4Format.BlockElements; k++)
        {
            amax = Vector512.Max(amax, TRows.Row(tile, stride, k) & absMask);
        }

        Vector512<ushort> nonFinite = Vector512.GreaterThanOrEqual(amax, Vector512.Create((ushort)0x7F80));
        Vector512<ushort> biased = Vector512.ShiftRightLogical(amax + Vector512.Create(roundUp), 7);
        Vector512<ushort> scale = Avx512BW.SubtractSaturate(biased, Vector512.Create((ushort)2));
        Vector512<short> exponentBits = (scale.AsInt16() << 7) - Vector512.Create((short)(127 << 7));
        Vector512<short> notFinite = nonFinite.AsInt16();
        StoreTransposed(
            Word<TRows>(tile, stride, 0, exponentBits, notFinite),
            Word<TRows>(tile, stride, 1, exponentBits, notFinite),
            Word<TRows>(tile, stride, 2, exponentBits, notFinite),
            Word<TRows>(tile, stride, 3, exponentBits, notFinite),
            Word<TRows>(tile, stride, 4, exponentBits, notFinite),
            Word<TRows>(tile, stride, 5, exponentBits, notFinite),
            Word<TRows>(tile, stride, 6, exponentBits, notFinite),
            Word<TRows>(tile, stride, 7, exponentBits, notFinite),
            blocks,
            blockStride);

        Vector256<byte> scaleBytes = Avx512BW.ConvertToVector256Byte(
            Vector512.ConditionalSelect(nonFinite, Vector512.Create((ushort)Mxfp4Format.NaNScale), scale));
        if (scaleStride == 1)
        {
            scaleBytes.Store(scales);
        }
        else
        {
            for (int j = 0; j < VerticalColumns; j++)
            {
                scales[j * scaleStride] = scaleBytes.GetElement(j);
            }
        }

        // Finite blocks whose scale byte is below 3 (amax below 2^-122), as TryEncodeBlock16 leaves them.
        uint tiny = (uint)(Vector512.LessThan(scale, Vector512.Create((ushort)3)) & ~nonFinite).ExtractMostSignificantBits();
        if (tiny != 0)
        {
            EncodeTinyColumns<TRows>(tiny, tile, stride, blocks, blockStride, scales, scaleStride, rule);
        }

        return BitOperations.PopCount((uint)nonFinite.ExtractMostSignificantBits() >> countFrom);
    }

    /// <summary>The columns set in <paramref name="tiny"/>, through the reference.</summary>
    private static unsafe void EncodeTinyColumns<TRows>(uint tiny, byte* tile, nint stride, byte* blocks, nint blockStride, byte* scales,
        nint scaleStride, ScaleRule rule)
        where TRows : struct, IColumnRows
    {
        Span<float> block = stackalloc float[Mxfp4Format.BlockElements];
        while (tiny != 0)
        {
            int j = BitOperations.TrailingZeroCount(tiny);
            tiny &= tiny - 1;
            for (int k = 0; k < Mxfp4Format.BlockElements; k++)
            {
                block[k] = TRows.Element(tile, (k * stride) + j);
            }

            scales[j * scaleStride] = Mxfp4EncoderReference.EncodeBlock(
                block, new Span<byte>(blocks + (j * blockStride), Mxfp4Format.BlockBytes), rule);
        }
    }

    /// <summary>
    /// Bytes 2m and 2m + 1 of each lane's block: the nibbles of rows 4m to 4m + 3, each lane scaled by its own
    /// <paramref name="exponentBits"/> (the scale's exponent in BF16's exponent field), zero where the block is not finite.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector512<short> Word<TRows>(byte* tile, nint stride, int m, Vector512<short> exponentBits,
        Vector512<short> notFinite)
        where TRows : struct, IColumnRows
    {
        Vector512<short> word = Vector512<short>.Zero;
        for (int t = 0; t < 4; t++)
        {
            Vector512<ushort> bits = TRows.Row(tile, stride, (4 * m) + t);
            Vector512<short> q = (bits & Vector512.Create((ushort)0x7FFF)).AsInt16() - exponentBits;
            Vector512<short> r = Vector512.Max(q, Vector512.Create((short)0x3E80));
            Vector512<short> strictPassed = Avx512BW.PermuteVar32x16(StrictThresholdCounts, (r + Vector512.Create((short)0x1F)) >> 5);
            Vector512<short> inclusivePassed = Avx512BW.PermuteVar32x16(InclusiveThresholdCounts, r >> 5);
            Vector512<short> sign = (Vector512.ShiftRightLogical(bits, 12) & Vector512.Create((ushort)8)).AsInt16();
            word |= (sign | (strictPassed + inclusivePassed)) << (4 * t);
        }

        return Vector512.AndNot(word, notFinite);
    }

    /// <summary>
    /// Row m of the 8×8 word matrix in each 128-bit lane L is word m; column j of it (bytes 0–15 of block 8L + j) is
    /// stored at <c>blocks + (8L + j)·blockStride</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreTransposed(Vector512<short> word0, Vector512<short> word1, Vector512<short> word2,
        Vector512<short> word3, Vector512<short> word4, Vector512<short> word5, Vector512<short> word6, Vector512<short> word7,
        byte* blocks, nint blockStride)
    {
        Vector512<int> t0 = Avx512BW.UnpackLow(word0, word1).AsInt32();
        Vector512<int> t1 = Avx512BW.UnpackHigh(word0, word1).AsInt32();
        Vector512<int> t2 = Avx512BW.UnpackLow(word2, word3).AsInt32();
        Vector512<int> t3 = Avx512BW.UnpackHigh(word2, word3).AsInt32();
        Vector512<int> t4 = Avx512BW.UnpackLow(word4, word5).AsInt32();
        Vector512<int> t5 = Avx512BW.UnpackHigh(word4, word5).AsInt32();
        Vector512<int> t6 = Avx512BW.UnpackLow(word6, word7).AsInt32();
        Vector512<int> t7 = Avx512BW.UnpackHigh(word6, word7).AsInt32();

        Vector512<long> u0 = Avx512F.UnpackLow(t0, t2).AsInt64();
        Vector512<long> u1 = Avx512F.UnpackHigh(t0, t2).AsInt64();
        Vector512<long> u2 = Avx512F.UnpackLow(t1, t3).AsInt64();
        Vector512<long> u3 = Avx512F.UnpackHigh(t1, t3).AsInt64();
        Vector512<long> u4 = Avx512F.UnpackLow(t4, t6).AsInt64();
        Vector512<long> u5 = Avx512F.UnpackHigh(t4, t6).AsInt64();
        Vector512<long> u6 = Avx512F.UnpackLow(t5, t7).AsInt64();
        Vector512<long> u7 = Avx512F.UnpackHigh(t5, t7).AsInt64();

        StoreLanes(Avx512F.UnpackLow(u0, u4), blocks, blockStride);
        StoreLanes(Avx512F.UnpackHigh(u0, u4), blocks + blockStride, blockStride);
        StoreLanes(Avx512F.UnpackLow(u1, u5), blocks + (2 * blockStride), blockStride);
        StoreLanes(Avx512F.UnpackHigh(u1, u5), blocks + (3 * blockStride), blockStride);
        StoreLanes(Avx512F.UnpackLow(u2, u6), blocks + (4 * blockStride), blockStride);
        StoreLanes(Avx512F.UnpackHigh(u2, u6), blocks + (5 * blockStride), blockStride);
        StoreLanes(Avx512F.UnpackLow(u3, u7), blocks + (6 * blockStride), blockStride);
        StoreLanes(Avx512F.UnpackHigh(u3, u7), blocks + (7 * blockStride), blockStride);
    }

    /// <summary>Lane L of <paramref name="column"/> is the block 8L columns on from <paramref name="block"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreLanes(Vector512<long> column, byte* block, nint blockStride)
    {
        column.GetLower().GetLower().Store((long*)block);
        column.GetLower().GetUpper().Store((long*)(block + (8 * blockStride)));
        column.GetUpper().GetLower().Store((long*)(block + (16 * blockStride)));
        column.GetUpper().GetUpper().Store((long*)(block + (24 * blockStride)));
    }
}
