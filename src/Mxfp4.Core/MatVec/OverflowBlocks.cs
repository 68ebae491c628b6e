using Mxfp4.Core.Mxfp4;

namespace Mxfp4.Core.MatVec;

/// <summary>
/// Blocks whose scale makes some weights too large for float32 (s ≥ 253: 4·2^126 = 2^128 already overflows) or NaN
/// (s = 255). The weights are defined by <see cref="Mxfp4Reference.Element"/>, which turns those into ±Inf or NaN,
/// so such blocks take this element-by-element route (rows holding them run the scalar kernel on every path, which
/// gives the same bits; such scales are rare in real checkpoints) and the result is ±Inf or NaN exactly where a float64 sum over the reference weights is.
/// </summary>
internal static class OverflowBlocks
{
    internal const byte FirstScale = 253;

    /// <summary>Whether any of a row's scales needs this route.</summary>
    internal static bool Contains(ReadOnlySpan<byte> scales) => scales.IndexOfAnyInRange(FirstScale, byte.MaxValue) >= 0;

    /// <summary>
    /// The 8 Exact lane contributions of one block, in float64 (every product is exact): lane j gets elements 2j and
    /// 2j+1 (byte j), then 16+2j and 17+2j (byte 8+j), the same elements the kernel's lane j sums.
    /// </summary>
    internal static void ExactLanes(ReadOnlySpan<byte> block, ReadOnlySpan<float> deinterleavedX, byte scale, Span<double> lanes)
    {
        for (int j = 0; j < 8; j++)
        {
            double first = ((double)Mxfp4Reference.Element(block, 2 * j, scale) * deinterleavedX[j])
                + ((double)Mxfp4Reference.Element(block, (2 * j) + 1, scale) * deinterleavedX[16 + j]);
            double second = ((double)Mxfp4Reference.Element(block, 16 + (2 * j), scale) * deinterleavedX[8 + j])
                + ((double)Mxfp4Reference.Element(block, 17 + (2 * j), scale) * deinterleavedX[24 + j]);
            lanes[j] = first + second;
        }
    }

    /// <summary>One block's Int8 contribution in the kernel's units (Σ w·q·m, which the row later divides by 127).</summary>
    internal static double Int8Block(ReadOnlySpan<byte> block, ReadOnlySpan<sbyte> quantizedX, double maximum, byte scale)
    {
        double sum = 0;
        for (int j = 0; j < 16; j++)
        {
            sum += (double)Mxfp4Reference.Element(block, 2 * j, scale) * quantizedX[j];
            sum += (double)Mxfp4Reference.Element(block, (2 * j) + 1, scale) * quantizedX[16 + j];
        }

        return sum * maximum;
    }
}
