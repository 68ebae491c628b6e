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
    /// One block per 512-bit vector of 32 BF16 patterns, never widened, by <see cref="TryEncodeBlock16"/>; blocks with
    /// a scale byte below 3 go to the reference.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int EncodeBFloat16Vector512(ReadOnlySpan<ushort> values, Span<byte> blocks, Span<byte> scales, ScaleRule rule)
    {
        ref ushort input = ref MemoryMarshal.GetReference(values);
        ref byte block = ref MemoryMarshal.GetReference(blocks);
        ref byte scale = ref MemoryMarshal.GetReference(scales);
        uint roundUp = rule == ScaleRule.Up ? 0x3Fu : 0u;
        int nonFinite = 0;
        nuint groups = (nuint)scales.Length;
        for (nuint g = 0; g < groups; g++)
        {
            Vector512<ushort> bits = Vector512.LoadUnsafe(ref input, g * Mxfp4Format.BlockElements);
            ref byte packed = ref Unsafe.Add(ref block, g * Mxfp4Format.BlockBytes);
            if (!TryEncodeBlock16(bits, roundUp, ref packed, out byte s))
            {
                s = EncodeTinyBFloat16Block(
                    MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref input, g * Mxfp4Format.BlockElements), Mxfp4Format.BlockElements),
                    MemoryMarshal.CreateSpan(ref packed, Mxfp4Format.BlockBytes),
                    rule);
            }

            Unsafe.Add(ref scale, g) = s;
            nonFinite += s == Mxfp4Format.NaNScale ? 1 : 0;
        }

        return nonFinite;
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
