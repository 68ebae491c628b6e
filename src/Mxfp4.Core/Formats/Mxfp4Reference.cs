using Mxfp4.Core.Numerics;

namespace Mxfp4.Core.Formats;

/// <summary>
/// The scalar reference that defines every result, written straight from the specifications:
/// <list type="bullet">
/// <item>OCP Microscaling Formats (MX) Specification v1.0, section 5.3 (element data types; 5.3.3, FP4 E2M1): a nibble
/// is sign|exponent(2)|mantissa(1) with exponent bias 1, subnormal 0.5 at exponent 0, no infinities or NaN, largest
/// magnitude 6. The same specification's E8M0 scale: byte s multiplies the block by 2^(s-127); s = 255 is NaN and
/// makes the whole block NaN.</item>
/// <item>gpt-oss packing (gpt_oss/torch/weights.py and transformers' convert_moe_packed_tensors: <c>idx_lo = blk &amp;
/// 0x0F</c> fills elements 0::2, <c>blk &gt;&gt; 4</c> elements 1::2): byte k of a block holds element 2k in its low
/// nibble and 2k+1 in its high nibble, low nibble first.</item>
/// </list>
/// Each product is computed in double (where it is exact) and rounded once to float32, so subnormals are kept, -0
/// keeps its sign and values beyond float32 become infinities; the output format's scalar store then narrows it (BF16
/// and F16 round to nearest-even, exact for BF16 since every finite product has its low 16 bits zero). Deliberately
/// simple and slow.
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
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined format.</exception>
    public static void Dequantize(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, Span<byte> destination, OutputFormat format)
    {
        var call = new DequantizeCall();
        OutputFormats.Visit(format, ref call, blocks, scales, destination);
    }

    /// <summary>Dequantizes whole groups into <paramref name="destination"/> as <typeparamref name="TFormat"/>, one by one.</summary>
    internal static void Dequantize<TFormat>(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, Span<byte> destination)
        where TFormat : struct, IOutputFormat
    {
        int bytesPerElement = TFormat.BytesPerElement;
        for (int g = 0; g < scales.Length; g++)
        {
            var block = blocks.Slice(g * Mxfp4Format.BlockBytes, Mxfp4Format.BlockBytes);
            for (int i = 0; i < Mxfp4Format.BlockElements; i++)
            {
                float value = Element(block, i, scales[g]);
                TFormat.Store(value, destination.Slice(((g * Mxfp4Format.BlockElements) + i) * bytesPerElement, bytesPerElement));
            }
        }
    }

    private readonly struct DequantizeCall : IOutputFormatVisitor
    {
        public void Visit<TFormat>(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination)
            where TFormat : struct, IOutputFormat
            => Dequantize<TFormat>(first, second, destination);
    }
}
