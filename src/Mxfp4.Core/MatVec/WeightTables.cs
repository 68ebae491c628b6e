namespace Mxfp4.Core.MatVec;

/// <summary>
/// The tables every MatVec path shares. Weights are used doubled, so every E2M1 value is a small integer
/// (−12..12) that fits an int8 shuffle table and converts to float exactly; the half is folded into the scale.
/// </summary>
internal static class WeightTables
{
    /// <summary>2 × the E2M1 value of each nibble 0..15. −0 becomes 0: a zero weight contributes nothing either way.</summary>
    internal static ReadOnlySpan<sbyte> DoubledValues => [0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12];

    /// <summary>The same doubled values as float32 (exact), for the paths that look weights up as floats.</summary>
    internal static ReadOnlySpan<float> DoubledFloats => [0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12];

    /// <summary>2^(s − 128) for scale byte s (the block scale halved to undo the doubled weights); NaN for s = 255.</summary>
    internal static readonly double[] HalfScales = CreateHalfScales();

    /// <summary>
    /// 2^(s − 128) as float32 for s ≤ 252, the scales the Exact kernel applies (exact: s = 0 and 1 give the subnormals
    /// 2^−128 and 2^−127); blocks with larger scales never reach it (<see cref="OverflowBlocks"/>), their entries are NaN.
    /// </summary>
    internal static readonly float[] HalfScalesF32 = CreateHalfScalesF32();

    private static double[] CreateHalfScales()
    {
        var table = new double[256];
        for (int s = 0; s < 255; s++)
        {
            table[s] = Math.ScaleB(1.0, s - 128);
        }

        table[255] = double.NaN;
        return table;
    }

    private static float[] CreateHalfScalesF32()
    {
        var table = new float[256];
        for (int s = 0; s < 256; s++)
        {
            table[s] = s < OverflowBlocks.FirstScale ? (float)Math.ScaleB(1.0, s - 128) : float.NaN;
        }

        return table;
    }
}
