using System.Runtime.CompilerServices;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Quantization;

namespace Mxfp4.Core.Formats;

/// <summary>
/// MXFP4 encoding kernels, one per vector width, each bit-identical to <see cref="Mxfp4EncoderReference"/>;
/// <see cref="ActivePath"/> is chosen once at start-up.
/// </summary>
/// <remarks>
/// Every SIMD path encodes a block the same way, in integers and float32 only. The absolute values' bits order like
/// the magnitudes, so their maximum is amax's bits, and any NaN or Inf makes it at least 0x7F800000. With amax's biased
/// exponent E and mantissa bits m, the rule's scale byte is max(E − 2 + [m &gt; 0x400000], 0) for Up (amax ≤ 1.5·2^(E−127)
/// = 6·2^(E−129) exactly when m ≤ half) and max(E − 2, 0) for Ocp; subnormal and zero amax give 0. The element
/// q = |x|·2^(127−s) is an exact float32 product (the factor is a normal power of two and q &lt; 8) except where it
/// underflows, far below 0.25, where the result is code 0 either way. The code is the number of rounding thresholds q
/// passes: &gt; 0.25, ≥ 0.75, &gt; 1.25, ≥ 1.75, &gt; 2.5, ≥ 3.5, &gt; 5 — strict where the lower (even) code wins the
/// tie, inclusive where the upper one does; above 5 is 6, which is also saturation.
/// </remarks>
public static partial class Mxfp4Encoder
{
    private const uint AbsMask = 0x7FFF_FFFF;

    private const uint NonFiniteBits = 0x7F80_0000;

    /// <summary>
    /// Encodes <c>values.Length / 32</c> whole blocks (values.Length a multiple of 32) into 16 bytes each of
    /// <paramref name="blocks"/> and one scale byte each of <paramref name="scales"/>. Returns how many blocks held NaN
    /// or ±Inf (written as scale 255 and zero bytes).
    /// </summary>
    /// <exception cref="ArgumentException">The three lengths do not describe the same number of blocks.</exception>
    public static int Encode(ReadOnlySpan<float> values, Span<byte> blocks, Span<byte> scales, ScaleRule rule)
        => Encode(values, blocks, scales, rule, ActivePath);

    /// <summary>
    /// The path <see cref="Encode(ReadOnlySpan{float}, Span{byte}, Span{byte}, ScaleRule)"/> uses: Vector512 with
    /// AVX-512BW (16-bit lanes, twice the elements a vector; 2026-11-29 on Zen 4, 2.0× the Vector256 path); then
    /// Vector256, then Vector128; else the reference.
    /// </summary>
    public static KernelPath ActivePath { get; } =
        EncodesBFloat16InPlace ? KernelPath.Vector512
        : Mxfp4Kernels.IsSupported(KernelPath.Vector256) ? KernelPath.Vector256
        : Mxfp4Kernels.IsSupported(KernelPath.Vector128) ? KernelPath.Vector128
        : KernelPath.Scalar;

    /// <summary>
    /// Runs one specific path; every path but Vector512 (AVX-512BW only) runs on every machine (tests check all of them).
    /// </summary>
    internal static int Encode(ReadOnlySpan<float> values, Span<byte> blocks, Span<byte> scales, ScaleRule rule, KernelPath path)
    {
        CheckLengths(values.Length, blocks.Length, scales.Length);
        return path switch
        {
            KernelPath.Scalar => Mxfp4EncoderReference.Encode(values, blocks, scales, rule),
            KernelPath.Vector128 => EncodeVector128(values, blocks, scales, rule),
            KernelPath.Vector256 => EncodeVector256(values, blocks, scales, rule),
            KernelPath.Vector512 => EncodeVector512(values, blocks, scales, rule),
            _ => throw new ArgumentOutOfRangeException(nameof(path), path, "Unknown kernel path."),
        };
    }

    internal static void CheckLengths(int values, int blocks, int scales)
    {
        if (values % Mxfp4Format.BlockElements != 0 || (long)blocks != (long)scales * Mxfp4Format.BlockBytes
            || values / Mxfp4Format.BlockElements != scales)
        {
            throw new ArgumentException(
                $"Expected whole blocks: {values} values need {values / Mxfp4Format.BlockElements} scales and 16 bytes per block; got "
                    + $"{scales} scales and {blocks} block bytes.");
        }
    }

    /// <summary>The scale byte for amax's float32 bits (finite), per the remarks above.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte ScaleByte(uint amaxBits, ScaleRule rule)
    {
        int exponent = (int)(amaxBits >> 23);
        int roundUp = rule == ScaleRule.Up && (amaxBits & 0x7F_FFFF) > 0x40_0000 ? 1 : 0;
        return (byte)Math.Max(exponent - 2 + roundUp, 0);
    }

    /// <summary>The float32 2^(127 − s) that brings a block with scale byte s (below 254) to the E2M1 range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float InverseScale(byte scale) => BitConverter.UInt32BitsToSingle((uint)(254 - scale) << 23);
}
