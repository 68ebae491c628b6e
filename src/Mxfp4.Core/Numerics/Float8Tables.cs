namespace Mxfp4.Core.Numerics;

/// <summary>
/// The 256 values of each 8-bit float format in every output format, decoded once. Every F8_E4M3 and F8_E5M2 value
/// is exact in float32, BF16 and F16; a NaN becomes the quiet NaN of the same sign (payloads are not carried).
/// </summary>
internal static class Float8Tables
{
    public static readonly uint[] E4M3ToSingle = BuildSingle(DecodeE4M3);
    public static readonly ushort[] E4M3ToBFloat16 = ToBFloat16(E4M3ToSingle);
    public static readonly ushort[] E4M3ToHalf = ToHalf(E4M3ToSingle);
    public static readonly uint[] E5M2ToSingle = BuildSingle(DecodeE5M2);
    public static readonly ushort[] E5M2ToBFloat16 = ToBFloat16(E5M2ToSingle);
    public static readonly ushort[] E5M2ToHalf = ToHalf(E5M2ToSingle);
    public static readonly Float8Table E4M3 = new(E4M3ToSingle, E4M3ToBFloat16, E4M3ToHalf);
    public static readonly Float8Table E5M2 = new(E5M2ToSingle, E5M2ToBFloat16, E5M2ToHalf);

    /// <summary>OCP E4M3FN: bias 7, no infinities, S.1111.111 is NaN, largest finite 448, subnormals m * 2^-9.</summary>
    private static double DecodeE4M3(byte value)
    {
        int exponent = (value >> 3) & 0xF;
        int mantissa = value & 0x7;
        double magnitude = exponent == 0xF && mantissa == 0x7 ? double.NaN
            : exponent == 0 ? Math.ScaleB(mantissa, -9)
            : Math.ScaleB(8 + mantissa, exponent - 7 - 3);
        return (value & 0x80) != 0 ? -magnitude : magnitude;
    }

    /// <summary>OCP E5M2: IEEE-like with bias 15, infinities and NaNs at exponent 31, subnormals m * 2^-16.</summary>
    private static double DecodeE5M2(byte value)
    {
        int exponent = (value >> 2) & 0x1F;
        int mantissa = value & 0x3;
        double magnitude = exponent == 0x1F ? (mantissa == 0 ? double.PositiveInfinity : double.NaN)
            : exponent == 0 ? Math.ScaleB(mantissa, -16)
            : Math.ScaleB(4 + mantissa, exponent - 15 - 2);
        return (value & 0x80) != 0 ? -magnitude : magnitude;
    }

    private static uint[] BuildSingle(Func<byte, double> decode)
    {
        var table = new uint[256];
        for (int b = 0; b < 256; b++)
        {
            double value = decode((byte)b);
            uint sign = (uint)(b & 0x80) << 24;
            table[b] = double.IsNaN(value) ? sign | 0x7FC0_0000 : BitConverter.SingleToUInt32Bits((float)value);
        }

        return table;
    }

    /// <summary>The top halves: exact, since no 8-bit value has more than 3 mantissa bits.</summary>
    private static ushort[] ToBFloat16(uint[] single) => Array.ConvertAll(single, bits => (ushort)(bits >> 16));

    private static ushort[] ToHalf(uint[] single) => Array.ConvertAll(single, bits =>
    {
        float value = BitConverter.UInt32BitsToSingle(bits);
        return float.IsNaN(value)
            ? (ushort)(((bits >> 16) & 0x8000) | 0x7E00)
            : BitConverter.HalfToUInt16Bits((Half)value);
    });
}
