using Mxfp4.Core.Numerics;

namespace Mxfp4.Core.Mxfp4;

/// <summary>
/// The scalar reference that defines every result, written straight from the spec: byte k of a block holds element
/// 2k in its low nibble and 2k+1 in its high nibble; a nibble is sign|exponent(2)|mantissa(1) E2M1; scale byte s
/// multiplies the block by 2^(s-127), except s = 255, which makes the whole block NaN. Each product is computed in
/// double (where it is exact) and rounded once to float32, so subnormals are kept, -0 keeps its sign and values beyond
/// float32 become infinities. BF16 output is the top half of that float32 (exact, since every finite product has its
/// low 16 bits zero); F16 output is IEEE round-to-nearest-even of it. Deliberately simple and slow.
/// </summary>
public static class Mxfp4Reference
{
    /// <summary>E2M1 nibble values in order 0..15.</summary>
    private static readonly double[] NibbleValues =
    [
        0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0,
        -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0,
    ];

    /// <summary>The value of element <paramref name="index"/> (0..31) of a 16-byte block with scale byte <paramref
    /// name="scale"/>.</summary>
    public static float Element(ReadOnlySpan<byte> block, int index, byte scale)
    {
        if (scale == Mxfp4Format.NaNScale)
        {
            return BitConverter.UInt32BitsToSingle(Mxfp4Format.NaNBitsF32);
        }

        byte packed = block[index / 2];
        int nibble = (index % 2 == 0) ? packed & 0x0F : packed >> 4;
        return (float)Math.ScaleB(NibbleValues[nibble], scale - Mxfp4Format.ScaleBias);
    }

    /// <summary>Dequantizes whole groups into <paramref name="destination"/> in the given output format (little-endian).</summary>
    public static void Dequantize(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, Span<byte> destination, OutputFormat format)
    {
        int bytesPerElement = format.BytesPerElement();
        for (int g = 0; g < scales.Length; g++)
        {
            var block = blocks.Slice(g * Mxfp4Format.BlockBytes, Mxfp4Format.BlockBytes);
            for (int i = 0; i < Mxfp4Format.BlockElements; i++)
            {
                float value = Element(block, i, scales[g]);
                var target = destination.Slice(((g * Mxfp4Format.BlockElements) + i) * bytesPerElement, bytesPerElement);
                switch (format)
                {
                    case OutputFormat.F32:
                        BitConverter.TryWriteBytes(target, BitConverter.SingleToUInt32Bits(value));
                        break;
                    case OutputFormat.BF16:
                        BitConverter.TryWriteBytes(target, (ushort)(BitConverter.SingleToUInt32Bits(value) >> 16));
                        break;
                    default:
                        ushort half = float.IsNaN(value) ? Mxfp4Format.NaNBitsF16 : BitConverter.HalfToUInt16Bits((Half)value);
                        BitConverter.TryWriteBytes(target, half);
                        break;
                }
            }
        }
    }
}
