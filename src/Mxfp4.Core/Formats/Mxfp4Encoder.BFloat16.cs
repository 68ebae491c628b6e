using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Quantization;

namespace Mxfp4.Core.Formats;

public static partial class Mxfp4Encoder
{
    /// <summary>Elements widened to float32 at a time where BF16 cannot be encoded in place (4 KiB on the stack).</summary>
    private const int WidenChunkElements = 1024;

    /// <summary>Strict thresholds (0.25, 1.25, 2.5, 5 as BF16 bits / 32: 0x1F4, 0x1FD, 0x201, 0x205) below k, at k mod 32.</summary>
    private static Vector512<short> StrictThresholdCounts
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.Create((short)2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2);
    }

    /// <summary>Inclusive thresholds (0.75, 1.75, 3.5 as BF16 bits / 32: 0x1FA, 0x1FF, 0x203) at or below k, at k mod 32.</summary>
    private static Vector512<short> InclusiveThresholdCounts
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.Create((short)2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2);
    }

    /// <summary>
    /// Whether <see cref="EncodeBFloat16"/> works on the BF16 bits in place (AVX-512BW: one block is one 512-bit vector
    /// of 16-bit lanes); otherwise it widens to float32 and runs <see cref="ActivePath"/>.
    /// </summary>
    public static bool EncodesBFloat16InPlace { get; } = Mxfp4Kernels.IsSupported(KernelPath.Vector512) && Sse41.IsSupported;

    /// <summary>
    /// Encodes <c>values.Length / 32</c> whole blocks of BF16 bit patterns, exactly as
    /// <see cref="Encode(ReadOnlySpan{float}, Span{byte}, Span{byte}, ScaleRule)"/> encodes their float32 values (BF16
    /// widens to float32 exactly). Returns how many blocks held NaN or ±Inf.
    /// </summary>
    /// <exception cref="ArgumentException">The three lengths do not describe the same number of blocks.</exception>
    public static int EncodeBFloat16(ReadOnlySpan<ushort> values, Span<byte> blocks, Span<byte> scales, ScaleRule rule)
        => EncodeBFloat16(values, blocks, scales, rule, EncodesBFloat16InPlace);

    /// <summary>Runs the in-place kernel or the widening one; both run wherever the hardware allows (tests check both).</summary>
    internal static int EncodeBFloat16(ReadOnlySpan<ushort> values, Span<byte> blocks, Span<byte> scales, ScaleRule rule, bool inPlace)
    {
        CheckLengths(values.Length, blocks.Length, scales.Length);
        if (inPlace)
        {
            if (!EncodesBFloat16InPlace)
            {
                throw new PlatformNotSupportedException("Encoding BF16 in place needs AVX-512BW.");
            }

            return EncodeBFloat16Vector512(values, blocks, scales, rule);
        }

        Span<float> widened = stackalloc float[WidenChunkElements];
        int nonFinite = 0;
        for (int start = 0; start < values.Length; start += WidenChunkElements)
        {
            int length = Math.Min(WidenChunkElements, values.Length - start);
            var chunk = widened[..length];
            BFloat16Conversion.Widen(values.Slice(start, length), MemoryMarshal.Cast<float, uint>(chunk));
            int first = start / Mxfp4Format.BlockElements;
            int count = length / Mxfp4Format.BlockElements;
            nonFinite += Encode(
                chunk,
                blocks.Slice(first * Mxfp4Format.BlockBytes, count * Mxfp4Format.BlockBytes),
                scales.Slice(first, count),
                rule,
                ActivePath);
        }

        return nonFinite;
    }

    /// <summary>
    /// Eight blocks at a time by <see cref="TryEncodeEightBlocks16"/>, one block per 512-bit vector of 32 BF16 patterns,
    /// never widened; a group it declines (a block non-finite or with a scale byte below 3) and the last blocks go one
    /// by one through <see cref="EncodeOneBFloat16Block"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int EncodeBFloat16Vector512(ReadOnlySpan<ushort> values, Span<byte> blocks, Span<byte> scales, ScaleRule rule)
    {
        ref ushort input = ref MemoryMarshal.GetReference(values);
        ref byte block = ref MemoryMarshal.GetReference(blocks);
        ref byte scale = ref MemoryMarshal.GetReference(scales);
        var roundUp = Vector512.Create(rule == ScaleRule.Up ? (ushort)0x3F : (ushort)0);
        Vector512<ushort> outOfRange = Vector512.Create((ushort)(0x7F80 - 0x280)) + roundUp;
        int nonFinite = 0;
        nuint groups = (nuint)scales.Length;
        nuint g = 0;
        for (; g + 8 <= groups; g += 8)
        {
            ref ushort first = ref Unsafe.Add(ref input, g * Mxfp4Format.BlockElements);
            ref byte packed = ref Unsafe.Add(ref block, g * Mxfp4Format.BlockBytes);
            if (!TryEncodeEightBlocks16(ref first, roundUp, outOfRange, ref packed, ref Unsafe.Add(ref scale, g)))
            {
                for (nuint k = 0; k < 8; k++)
                {
                    nonFinite += EncodeOneBFloat16Block(ref input, ref block, ref scale, g + k, rule);
                }
            }
        }

        for (; g < groups; g++)
        {
            nonFinite += EncodeOneBFloat16Block(ref input, ref block, ref scale, g, rule);
        }

        return nonFinite;
    }

    /// <summary>Block <paramref name="g"/> alone, by <see cref="TryEncodeBlock16"/> or the reference; 1 if it is non-finite.</summary>
    private static int EncodeOneBFloat16Block(ref ushort input, ref byte block, ref byte scale, nuint g, ScaleRule rule)
    {
        Vector512<ushort> bits = Vector512.LoadUnsafe(ref input, g * Mxfp4Format.BlockElements);
        ref byte packed = ref Unsafe.Add(ref block, g * Mxfp4Format.BlockBytes);
        if (!TryEncodeBlock16(bits, rule == ScaleRule.Up ? 0x3Fu : 0u, ref packed, out byte s))
        {
            s = EncodeTinyBFloat16Block(
                MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref input, g * Mxfp4Format.BlockElements), Mxfp4Format.BlockElements),
                MemoryMarshal.CreateSpan(ref packed, Mxfp4Format.BlockBytes),
                rule);
        }

        Unsafe.Add(ref scale, g) = s;
        return s == Mxfp4Format.NaNScale ? 1 : 0;
    }

    /// <summary>
    /// Counts of thresholds passed by u = ceil(r/32) + floor(r/32), r = q − 0.25 in BF16 bits (q above 0.25): strict
    /// ones (0.25, 1.25, 2.5, 5 at r/32 = 0, 9, 13, 17) below ceil, inclusive ones (0.75, 1.75, 3.5 at 6, 11, 15) at or
    /// below floor; u &lt; 40 since q &lt; 8, and u tells both quotients (floor = u/2, ceil = floor + u mod 2).
    /// </summary>
    private static Vector512<short> ThresholdCountsLow
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.Create((short)0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 4, 4, 4, 4, 4, 5, 5, 5, 6, 6);
    }

    /// <summary>Entries 32 to 63 of <see cref="ThresholdCountsLow"/>.</summary>
    private static Vector512<short> ThresholdCountsHigh
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Vector512.Create((short)6, 6, 6, 7, 7, 7, 7, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    /// <summary>
    /// Encodes eight consecutive blocks of BF16 patterns as <see cref="TryEncodeBlock16"/> does one, sharing the work
    /// that is horizontal. Each four blocks are transposed by 128-bit lanes first: vector j holds elements 8j..8j+7 of
    /// block k in lane k, so the maxima reduce together (lane k ends with the amax of blocks k and 4 + k in its two
    /// halves), the scale bytes and offsets come out in one vector, and the packs leave each block's 16 bytes in its
    /// lane, in order, for one store per four blocks. Returns false, writing nothing, when any of the eight is
    /// non-finite or has a scale byte below 3.
    /// </summary>
    /// <remarks>
    /// q − 0.25 in the bits, raised to 0 below 0.25 (code 0), is a saturating subtraction of d = s·128 − 256 from |x|'s
    /// bits: |x| − (s − 127)·128 − 0x3E80, with d in [128, 32128) for s in [3, 253].
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryEncodeEightBlocks16(
        ref ushort input, Vector512<ushort> roundUp, Vector512<ushort> outOfRange, ref byte packed, ref byte scales)
    {
        Transpose4(ref input, out var low0, out var low1, out var low2, out var low3);
        ref ushort upper = ref Unsafe.Add(ref input, 4 * Mxfp4Format.BlockElements);
        Transpose4(ref upper, out var high0, out var high1, out var high2, out var high3);
        Vector512<ushort> mask = Vector512.Create((ushort)0x7FFF);
        Vector512<ushort> lowMagnitude0 = low0 & mask, lowMagnitude1 = low1 & mask;
        Vector512<ushort> lowMagnitude2 = low2 & mask, lowMagnitude3 = low3 & mask;
        Vector512<ushort> highMagnitude0 = high0 & mask, highMagnitude1 = high1 & mask;
        Vector512<ushort> highMagnitude2 = high2 & mask, highMagnitude3 = high3 & mask;
        Vector512<ushort> lowMax = LaneQuadMax16(lowMagnitude0, lowMagnitude1, lowMagnitude2, lowMagnitude3);
        Vector512<ushort> highMax = LaneQuadMax16(highMagnitude0, highMagnitude1, highMagnitude2, highMagnitude3);
        Vector512<uint> amax = Avx512F.UnpackLow(lowMax.AsUInt64(), highMax.AsUInt64()).AsUInt32();
        amax = Vector512.Max(amax.AsUInt16(), Avx512F.Shuffle(amax, 0xB1).AsUInt16()).AsUInt32();
        amax = Vector512.Max(amax.AsUInt16(), Avx512F.RotateLeft(amax, 16).AsUInt16()).AsUInt32();

        // Scale byte s = max(((amax + roundUp) >> 7) − 2, 0); s ≥ 3 and amax < 0x7F80 (finite) together are one
        // unsigned range check of amax + roundUp − 0x280 (below 0x7F80 − 0x280 + roundUp, the caller's outOfRange).
        Vector512<ushort> rounded = amax.AsUInt16() + roundUp;
        if (Vector512.GreaterThanOrEqualAny(rounded - Vector512.Create((ushort)0x280), outOfRange))
        {
            return false;
        }

        Vector512<ushort> s = (rounded >> 7) - Vector512.Create((ushort)2);
        Vector512<uint> d = ((rounded & Vector512.Create((ushort)0xFF80)) - Vector512.Create((ushort)512)).AsUInt32();
        StoreFour(
            low0,
            low1,
            low2,
            low3,
            lowMagnitude0,
            lowMagnitude1,
            lowMagnitude2,
            lowMagnitude3,
            Avx512F.Shuffle(d, 0x44).AsUInt16(),
            ref packed);
        ref byte packedUpper = ref Unsafe.Add(ref packed, 4 * Mxfp4Format.BlockBytes);
        StoreFour(
            high0,
            high1,
            high2,
            high3,
            highMagnitude0,
            highMagnitude1,
            highMagnitude2,
            highMagnitude3,
            Avx512F.Shuffle(d, 0xEE).AsUInt16(),
            ref packedUpper);

        Vector512<short> firstWords = Vector512.Create(
            (short)0, 8, 16, 24, 4, 12, 20, 28, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        Vector128<short> scaleWords = Avx512BW.PermuteVar32x16(s.AsInt16(), firstWords).GetLower().GetLower();
        Unsafe.WriteUnaligned(ref scales, Sse2.PackUnsignedSaturate(scaleWords, scaleWords).AsUInt64().ToScalar());
        return true;
    }

    /// <summary>Four blocks transposed by 128-bit lanes: vector j gets elements 8j..8j+7 of block k in lane k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4(
        ref ushort input,
        out Vector512<ushort> bits0,
        out Vector512<ushort> bits1,
        out Vector512<ushort> bits2,
        out Vector512<ushort> bits3)
    {
        Vector512<uint> block0 = Vector512.LoadUnsafe(ref input).AsUInt32();
        Vector512<uint> block1 = Vector512.LoadUnsafe(ref input, 32).AsUInt32();
        Vector512<uint> block2 = Vector512.LoadUnsafe(ref input, 64).AsUInt32();
        Vector512<uint> block3 = Vector512.LoadUnsafe(ref input, 96).AsUInt32();
        Vector512<uint> low01 = Avx512F.Shuffle4x128(block0, block1, 0x44);
        Vector512<uint> high01 = Avx512F.Shuffle4x128(block0, block1, 0xEE);
        Vector512<uint> low23 = Avx512F.Shuffle4x128(block2, block3, 0x44);
        Vector512<uint> high23 = Avx512F.Shuffle4x128(block2, block3, 0xEE);
        bits0 = Avx512F.Shuffle4x128(low01, low23, 0x88).AsUInt16();
        bits1 = Avx512F.Shuffle4x128(low01, low23, 0xDD).AsUInt16();
        bits2 = Avx512F.Shuffle4x128(high01, high23, 0x88).AsUInt16();
        bits3 = Avx512F.Shuffle4x128(high01, high23, 0xDD).AsUInt16();
    }

    /// <summary>
    /// The largest of four vectors' magnitudes in each 128-bit lane, reduced to both 64-bit halves of it alike (the
    /// rest of the reduction is shared with the other four blocks).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ushort> LaneQuadMax16(
        Vector512<ushort> magnitude0, Vector512<ushort> magnitude1, Vector512<ushort> magnitude2, Vector512<ushort> magnitude3)
    {
        Vector512<ushort> max = Vector512.Max(Vector512.Max(magnitude0, magnitude1), Vector512.Max(magnitude2, magnitude3));
        return Vector512.Max(max, Avx512F.Shuffle(max.AsUInt32(), 0x4E).AsUInt16());
    }

    /// <summary>
    /// Packs four transposed blocks with their offsets d (lane k for block k) and stores their 64 bytes: lane k of a
    /// pack of vectors 0 and 1 holds elements 0..15 of block k, the codes' unsigned and the bits' signed (bit 7 the
    /// sign, moved to bit 3 by a 16-bit shift); VPMADDUBSW makes n[2i] + 16·n[2i+1] (at most 255), and the last pack
    /// puts packed bytes 0..7 and 8..15 of block k side by side in lane k.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreFour(
        Vector512<ushort> bits0,
        Vector512<ushort> bits1,
        Vector512<ushort> bits2,
        Vector512<ushort> bits3,
        Vector512<ushort> magnitude0,
        Vector512<ushort> magnitude1,
        Vector512<ushort> magnitude2,
        Vector512<ushort> magnitude3,
        Vector512<ushort> d,
        ref byte packed)
    {
        Vector512<short> codes0 = Codes16(magnitude0, d);
        Vector512<short> codes1 = Codes16(magnitude1, d);
        Vector512<short> codes2 = Codes16(magnitude2, d);
        Vector512<short> codes3 = Codes16(magnitude3, d);
        Vector512<byte> pairs01 = WithSigns(Avx512BW.PackUnsignedSaturate(codes0, codes1), bits0, bits1);
        Vector512<byte> pairs23 = WithSigns(Avx512BW.PackUnsignedSaturate(codes2, codes3), bits2, bits3);
        Vector512<sbyte> lowHigh = Vector512.Create((short)0x1001).AsSByte();
        Vector512<short> bytes01 = Avx512BW.MultiplyAddAdjacent(pairs01, lowHigh);
        Vector512<short> bytes23 = Avx512BW.MultiplyAddAdjacent(pairs23, lowHigh);
        Avx512BW.PackUnsignedSaturate(bytes01, bytes23).StoreUnsafe(ref packed);
    }

    /// <summary>
    /// The 32 codes (magnitude part of the nibbles) of one block from its magnitudes and d (see
    /// <see cref="TryEncodeEightBlocks16"/>): the count of thresholds passed, by one VPERMI2W lookup of u.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<short> Codes16(Vector512<ushort> magnitude, Vector512<ushort> d)
    {
        Vector512<short> r = Avx512BW.SubtractSaturate(magnitude, d).AsInt16();
        Vector512<short> u = ((r + Vector512.Create((short)0x1F)) >> 5) + (r >> 5);
        return Avx512BW.PermuteVar32x16x2(ThresholdCountsLow, u, ThresholdCountsHigh);
    }

    /// <summary>Codes packed to bytes from two vectors, with bit 3 set where the same pack of their bits is negative.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> WithSigns(Vector512<byte> codes, Vector512<ushort> bits0, Vector512<ushort> bits1)
    {
        Vector512<ushort> signs = Avx512BW.PackSignedSaturate(bits0.AsInt16(), bits1.AsInt16()).AsUInt16();
        return codes | ((signs >> 4) & Vector512.Create((ushort)0x0808)).AsByte();
    }

    /// <summary>
    /// Encodes one block given as 32 16-bit patterns: BF16 values, or float32 values cut to their top 16 bits with a
    /// sticky bit (bit 0 set when any of the 16 bits cut was). The sticky form keeps every decision the rule makes:
    /// each threshold and tie of the scale (Up's m &gt; half) and of the elements lies on a mantissa bit above bit 0, so a
    /// value equal to one keeps it exactly and a value beyond it, even in the bits cut, stays beyond it. Returns false,
    /// writing nothing, for a block whose scale byte is below 3, which the caller encodes through the reference.
    /// </summary>
    /// <remarks>
    /// The magnitudes' maximum comes from one PHMINPOSUW on complements; the scale byte from amax's bits as in the
    /// remarks on <see cref="Mxfp4Encoder"/>, where Up's round-up is a carry of adding 0x3F. q = |x|·2^−e is then an
    /// exponent subtraction on the bits, exact whenever q is normal; where the difference falls below the normal range
    /// (even negative), q &lt; 2^−126 and the code is 0 either way. It is not exact for a zero or subnormal x when
    /// e &lt; 0, where adding to the exponent field does not scale: that value of q is below 0.25 (code 0 either way)
    /// when the scale byte is at least 3, hence the reference below that (amax below 2^−122).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryEncodeBlock16(Vector512<ushort> bits, uint roundUp, ref byte packed, out byte scale)
    {
        Vector512<short> magnitude = (bits & Vector512.Create((ushort)0x7FFF)).AsInt16();
        uint amax = HorizontalMax16(magnitude.AsUInt16());
        if (amax >= 0x7F80)
        {
            scale = Mxfp4Format.NaNScale;
            Vector128<byte>.Zero.StoreUnsafe(ref packed);
            return true;
        }

        uint biased = (amax + roundUp) >> 7;
        uint s = biased > 2 ? biased - 2 : 0;
        scale = (byte)s;
        if (s < 3)
        {
            return false;
        }

        Vector512<short> q = magnitude - Vector512.Create((short)(((int)s - 127) << 7));

        // The code is the count of thresholds q passes. They all lie on multiples of 32 in the bits, so with q raised to
        // 0.25 (every q up to 0.25 has code 0), q > t for the strict ones (0.25, 1.25, 2.5, 5) is ceil(q/32) > t/32
        // and q ≥ t for the inclusive ones (0.75, 1.75, 3.5) is floor(q/32) ≥ t/32: two VPERMW lookups of counts by
        // those quotients. From 0.25 to below 8 they span 21 consecutive values, so their low 5 bits index the tables.
        Vector512<short> r = Vector512.Max(q, Vector512.Create((short)0x3E80));
        Vector512<short> strictPassed = Avx512BW.PermuteVar32x16(StrictThresholdCounts, (r + Vector512.Create((short)0x1F)) >> 5);
        Vector512<short> inclusivePassed = Avx512BW.PermuteVar32x16(InclusiveThresholdCounts, r >> 5);
        Vector512<short> nibbles = ((bits >> 12) & Vector512.Create((ushort)8)).AsInt16() | (strictPassed + inclusivePassed);

        // Element 2k is the low half of 32-bit lane k and 2k+1 the high half: one multiply-add makes each lane
        // n[2k] + 16·n[2k+1], whose low byte is the packed byte, and VPMOVDB keeps just those bytes.
        Vector512<int> pairs = Avx512BW.MultiplyAddAdjacent(nibbles, Vector512.Create(0x0010_0001).AsInt16());
        Avx512F.ConvertToVector128Byte(pairs).StoreUnsafe(ref packed);
        return true;
    }

    /// <summary>The largest of 32 16-bit lanes below 0x8000: the minimum of their complements, by PHMINPOSUW.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint HorizontalMax16(Vector512<ushort> magnitude)
    {
        Vector256<ushort> half = Vector256.Max(magnitude.GetLower(), magnitude.GetUpper());
        Vector128<ushort> quarter = Vector128.Max(half.GetLower(), half.GetUpper());
        return 0xFFFFu ^ Sse41.MinHorizontal(~quarter).ToScalar();
    }

    /// <summary>A finite block whose scale byte is below 3, through the reference (rare: amax below 2^−122).</summary>
    private static byte EncodeTinyBFloat16Block(ReadOnlySpan<ushort> bits, Span<byte> packed, ScaleRule rule)
    {
        Span<float> block = stackalloc float[Mxfp4Format.BlockElements];
        BFloat16Conversion.Widen(bits, MemoryMarshal.Cast<float, uint>(block));
        return Mxfp4EncoderReference.EncodeBlock(block, packed, rule);
    }
}
