using Mxfp4.Core.Formats;

namespace Mxfp4.Core.MatVec;

/// <summary>
/// Blocks whose scale makes some weights too large for float32 (s ≥ 253: 4·2^126 = 2^128 already overflows) or NaN
/// (s = 255). The weights are defined by <see cref="Mxfp4Reference.Element"/>, which turns those into ±Inf or NaN,
/// so rows holding such blocks take an element-by-element float64 route on every path (which gives the same bits;
/// such scales are rare in real checkpoints) and the result is ±Inf or NaN exactly where a float64 sum over the
/// reference weights is.
/// </summary>
internal static class OverflowBlocks
{
    internal const byte FirstScale = 253;

    /// <summary>Whether any of a row's scales needs this route.</summary>
    internal static bool Contains(ReadOnlySpan<byte> scales) => scales.IndexOfAnyInRange(FirstScale, byte.MaxValue) >= 0;

    /// <summary>
    /// A whole Exact row holding such blocks: the float64 sum, in element order, of every reference weight times its
    /// element of x (each product is exact), so the row is ±Inf or NaN exactly where the reference's float64 sum is.
    /// </summary>
    internal static double ExactRow(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, ReadOnlySpan<float> deinterleavedX)
    {
        double sum = 0;
        for (int g = 0; g < scales.Length; g++)
        {
            var block = blocks.Slice(g * Mxfp4Format.BlockBytes, Mxfp4Format.BlockBytes);
            var x = deinterleavedX.Slice(g * Mxfp4Format.BlockElements, Mxfp4Format.BlockElements);
            for (int j = 0; j < 16; j++)
            {
                sum += (double)Mxfp4Reference.Element(block, 2 * j, scales[g]) * x[j];
                sum += (double)Mxfp4Reference.Element(block, (2 * j) + 1, scales[g]) * x[16 + j];
            }
        }

        return sum;
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
