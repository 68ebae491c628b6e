namespace Mxfp4.Core.MatVec;

/// <summary>
/// The tables every MatVec path shares. Weights are used doubled, so every E2M1 value is a small integer
/// (−12..12) that fits an int8 shuffle table and converts to float exactly; the half is folded into the scale.
/// </summary>
internal static class WeightTables
{
    /// <summary>2 × the E2M1 value of each nibble 0..15. −0 becomes 0: a zero weight contributes nothing either way.</summary>
    internal static ReadOnlySpan<sbyte> DoubledValues => [0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12];

    /// <summary>2^(s − 128) for scale byte s (the block scale halved to undo the doubled weights); NaN for s = 255.</summary>
    internal static readonly double[] HalfScales = CreateHalfScales();

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
}
