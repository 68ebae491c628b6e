using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mxfp4.Core.Numerics;

/// <summary>
/// Narrowing of float32 products that are exact in the target (E2M1 values times an E8M0 power of two), shared by the
/// format types' vector stores: F16 needs only an exponent rebias for normal results and one float add for subnormals.
/// </summary>
internal static class ExactNarrowing
{
    /// <summary>Subtracting this from float32 bits shifted right by 13 rebiases the exponent from 127 to 15.</summary>
    private const uint ExponentRebias = (127 - 15) << 10;

    /// <summary>The float32 0.5, whose ulp is 2^-24, the F16 subnormal step.</summary>
    private const uint OneHalfBits = 0x3F00_0000;

    /// <summary>The float32 bits of 2^-14, the smallest normal F16.</summary>
    private const int MinNormalBits = 0x3880_0000;

    /// <summary>The float32 bits of 2^16; every product at or above it is beyond the F16 maximum 65504.</summary>
    private const int OverflowBits = 0x4780_0000;

    private const int SingleInfinityBits = 0x7F80_0000;

    private const uint HalfInfinityBits = 0x7C00;

    /// <summary>The quiet NaN the F16 stores write.</summary>
    public const ushort HalfNaNBits = 0x7E00;

    /// <summary>The float32 factor 2^(s-127) for a scale byte below 255; s = 0 gives the subnormal 2^-127.</summary>
    public static float ScaleFactor(byte scale)
        => BitConverter.UInt32BitsToSingle(scale == 0 ? 0x0040_0000u : (uint)scale << 23);

    /// <summary>
    /// Whether every nonzero product of a group with this scale is a normal F16: 0.5 * 2^(s-127) &gt;= 2^-14 and
    /// 6 * 2^(s-127) &lt;= 1.5 * 2^15. Such groups, the common case in real weights, take the cheap F16 narrowing.
    /// </summary>
    public static bool IsHalfNormalScale(byte scale) => (uint)(scale - 114) <= 140 - 114;

    /// <summary>
    /// The factor of a group bound for F16: for F16-normal scales 2^(s-127-112), which leaves every product's float32
    /// exponent biased as F16's (still an exact float32, at least 2^-126); otherwise <see cref="ScaleFactor"/>.
    /// </summary>
    public static float HalfFactor(byte scale)
        => IsHalfNormalScale(scale) ? BitConverter.UInt32BitsToSingle((uint)(scale - 112) << 23) : ScaleFactor(scale);

    /// <summary>F16 bits of exactly representable products; see the 256-bit overload for the method.</summary>
    public static Vector128<uint> HalfBits(Vector128<float> value)
    {
        Vector128<uint> bits = value.AsUInt32();
        Vector128<uint> magnitude = bits & Vector128.Create(0x7FFF_FFFFu);
        Vector128<uint> sign = Vector128.ShiftRightLogical(bits, 16) & Vector128.Create(0x8000u);
        Vector128<uint> normal = Vector128.ShiftRightLogical(magnitude, 13) - Vector128.Create(ExponentRebias);
        Vector128<uint> small = (magnitude.AsSingle() + Vector128.Create(0.5f)).AsUInt32() - Vector128.Create(OneHalfBits);
        Vector128<int> signedMagnitude = magnitude.AsInt32();
        Vector128<uint> result = Vector128.ConditionalSelect(
            Vector128.GreaterThanOrEqual(signedMagnitude, Vector128.Create(MinNormalBits)).AsUInt32(), normal, small);
        result = Vector128.ConditionalSelect(
            Vector128.GreaterThanOrEqual(signedMagnitude, Vector128.Create(OverflowBits)).AsUInt32(),
            Vector128.Create(HalfInfinityBits),
            result);
        result = Vector128.ConditionalSelect(
            Vector128.GreaterThan(signedMagnitude, Vector128.Create(SingleInfinityBits)).AsUInt32(),
            Vector128.Create((uint)HalfNaNBits),
            result);
        return result | sign;
    }

    /// <summary>
    /// F16 bits (in the low half of each lane) of float32 values whose mantissa has no bits below the F16 mantissa,
    /// as every MXFP4 product has: normal results need only an exponent rebias; values below the F16 normal range
    /// are rounded to the 2^-24 grid (round-to-nearest-even) by the float add of 0.5, whose ulp is 2^-24.
    /// </summary>
    public static Vector256<uint> HalfBits(Vector256<float> value)
    {
        Vector256<uint> bits = value.AsUInt32();
        Vector256<uint> magnitude = bits & Vector256.Create(0x7FFF_FFFFu);
        Vector256<uint> sign = Vector256.ShiftRightLogical(bits, 16) & Vector256.Create(0x8000u);
        Vector256<uint> normal = Vector256.ShiftRightLogical(magnitude, 13) - Vector256.Create(ExponentRebias);
        Vector256<uint> small = (magnitude.AsSingle() + Vector256.Create(0.5f)).AsUInt32() - Vector256.Create(OneHalfBits);
        Vector256<int> signedMagnitude = magnitude.AsInt32();
        Vector256<uint> result = Vector256.ConditionalSelect(
            Vector256.GreaterThanOrEqual(signedMagnitude, Vector256.Create(MinNormalBits)).AsUInt32(), normal, small);
        result = Vector256.ConditionalSelect(
            Vector256.GreaterThanOrEqual(signedMagnitude, Vector256.Create(OverflowBits)).AsUInt32(),
            Vector256.Create(HalfInfinityBits),
            result);
        result = Vector256.ConditionalSelect(
            Vector256.GreaterThan(signedMagnitude, Vector256.Create(SingleInfinityBits)).AsUInt32(),
            Vector256.Create((uint)HalfNaNBits),
            result);
        return result | sign;
    }

    /// <summary>
    /// F16 bits (in the low half of each lane; the upper half is not cleared) of products formed with
    /// <see cref="HalfFactor"/> for a scale where <see cref="IsHalfNormalScale"/> holds: their float32 exponent is
    /// already rebiased to F16's, so the bits shifted right by 13 are the F16 exponent and mantissa.
    /// </summary>
    public static Vector128<uint> NormalHalfBits(Vector128<float> value)
    {
        Vector128<uint> bits = value.AsUInt32();
        return Vector128.ShiftRightLogical(bits, 13) | (Vector128.ShiftRightLogical(bits, 16) & Vector128.Create(0x8000u));
    }

    /// <summary>As the 128-bit overload.</summary>
    public static Vector256<uint> NormalHalfBits(Vector256<float> value)
    {
        Vector256<uint> bits = value.AsUInt32();
        return Vector256.ShiftRightLogical(bits, 13) | (Vector256.ShiftRightLogical(bits, 16) & Vector256.Create(0x8000u));
    }
}
