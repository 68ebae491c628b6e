using Mxfp4.Core.Formats;
using Mxfp4.Core.MatVec;
using Xunit;

namespace Mxfp4.Core.Tests.MatVec;

/// <summary>A random MXFP4 matrix in memory, and the float64 reference product over <see cref="Mxfp4Reference.Element"/> values.</summary>
internal sealed class MatVecTestData
{
    internal const double Epsilon = 1.0 / (1 << 24);

    /// <summary>From this scale on some weights overflow float32 and the reference makes them ±Inf.</summary>
    private const byte OverflowScale = 253;

    internal MatVecTestData(int rows, int groups, byte[] blocks, byte[] scales)
    {
        Rows = rows;
        Groups = groups;
        Blocks = blocks;
        Scales = scales;
    }

    internal int Rows { get; }

    internal int Groups { get; }

    internal int Columns => Groups * 32;

    internal byte[] Blocks { get; }

    internal byte[] Scales { get; }

    internal Mxfp4Matrix Matrix => new(Blocks, Scales, Groups);

    /// <summary>Random blocks; scales drawn from <paramref name="scaleChoices"/> when given, else uniformly in [lowScale,
    /// highScale].</summary>
    internal static MatVecTestData Random(Random random, int rows, int groups, int lowScale = 110, int highScale = 140,
        byte[]? scaleChoices = null)
    {
        var blocks = new byte[rows * groups * 16];
        random.NextBytes(blocks);
        var scales = new byte[rows * groups];
        for (int i = 0; i < scales.Length; i++)
        {
            scales[i] = scaleChoices is null ? (byte)random.Next(lowScale, highScale + 1) : scaleChoices[random.Next(scaleChoices.Length)];
        }

        return new MatVecTestData(rows, groups, blocks, scales);
    }

    internal static float[] RandomVector(Random random, int length, double magnitude = 4.0)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++)
        {
            x[i] = (float)((random.NextDouble() * 2.0 - 1.0) * magnitude);
        }

        return x;
    }

    /// <summary>The weight at (row, column), straight from the scalar reference.</summary>
    internal float Weight(int row, int column)
    {
        int group = (row * Groups) + (column / 32);
        return Mxfp4Reference.Element(Blocks.AsSpan(group * 16, 16), column % 32, Scales[group]);
    }

    /// <summary>Σ w·x (+ b) in float64, and S = Σ|w·x| + |b|. Each product is exact in float64.</summary>
    internal (double Sum, double AbsSum) Reference(int row, ReadOnlySpan<float> x, float bias = 0f)
    {
        double sum = bias;
        double abs = Math.Abs(bias);
        for (int k = 0; k < Columns; k++)
        {
            double product = (double)Weight(row, k) * x[k];
            sum += product;
            abs += Math.Abs(product);
        }

        return (sum, abs);
    }

    /// <summary>The documented Exact bound, plus the float64 reference's own rounding (K·2^−53·S).</summary>
    internal double ExactBound(int row, double absSum)
    {
        double underflow = (((16.0 * Groups) + 17) * Math.ScaleB(1.0, -150));
        for (int g = 0; g < Groups; g++)
        {
            byte s = Scales[(row * Groups) + g];
            if (s < OverflowScale)
            {
                underflow += Math.ScaleB(1.0, s - 128 - 144);
            }
        }

        double n = Groups + 6;
        double gamma = n * Epsilon / (1 - (n * Epsilon));
        return (gamma * absSum) + underflow + (Columns * Math.ScaleB(1.0, -53) * absSum);
    }

    /// <summary>The documented Int8 bound: (1 + 2ε)·Q + γ(G + 6)·(S + Q) + (G + 1)·2^−141, plus the reference's own
    /// rounding.</summary>
    internal double Int8Bound(int row, ReadOnlySpan<float> x, double absSum)
    {
        double q = 0;
        for (int g = 0; g < Groups; g++)
        {
            double max = 0;
            double weights = 0;
            for (int i = 0; i < 32; i++)
            {
                max = Math.Max(max, Math.Abs(x[(g * 32) + i]));
                weights += Math.Abs(Weight(row, (g * 32) + i));
            }

            q += max / 254.0 * weights;
        }

        double n = Groups + 6;
        double gamma = n * Epsilon / (1 - (n * Epsilon));
        return ((1 + (2 * Epsilon)) * q) + (gamma * (absSum + q)) + ((Groups + 1) * Math.ScaleB(1.0, -141))
            + (Columns * Math.ScaleB(1.0, -53) * absSum);
    }

    /// <summary>Checks one output against the float64 reference: within the bound, or ±Inf/NaN where the reference is.</summary>
    internal static void AssertWithin(float actual, double reference, double bound, string what)
    {
        if (double.IsNaN(reference))
        {
            Assert.True(float.IsNaN(actual), $"{what}: expected NaN, got {actual}");
            return;
        }

        if (double.IsInfinity(reference))
        {
            Assert.True(float.IsInfinity(actual) && Math.Sign(actual) == Math.Sign(reference),
                $"{what}: expected {reference}, got {actual}");
            return;
        }

        if (float.IsInfinity(actual))
        {
            Assert.True(Math.Abs(reference) + bound >= float.MaxValue && Math.Sign(actual) == Math.Sign(reference),
                $"{what}: got {actual} for finite {reference} (bound {bound})");
            return;
        }

        Assert.True(Math.Abs(actual - reference) <= bound,
            $"{what}: |{actual} - {reference}| = {Math.Abs(actual - reference)} > bound {bound}");
    }
}
