using Mxfp4.Core.MatVec;
using Xunit;

namespace Mxfp4.Core.Tests.MatVec;

/// <summary>The Int8 preparation of x against a reference written from its definition: q = round-half-even(x·127/m) in
/// float64, m = max|x| of the block, the 16 even then the 16 odd elements of each block.</summary>
public class QuantizationTests
{
    [Fact]
    public void Random_blocks_match_the_definition()
    {
        var random = new Random(31);
        var x = new float[32 * 200];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (float)((random.NextDouble() * 2) - 1) * MathF.Pow(2, random.Next(-20, 20));
        }

        AssertMatches(x);
    }

    [Fact]
    public void Ties_round_to_even_and_special_blocks_follow_the_definition()
    {
        // Block 0: max 127, so x·127/m = x exactly and halves are ties (2.5 → 2, −3.5 → −4, 0.5 → 0, 1.5 → 2,
        // −126.5 → −126). Block 1: all zero. Block 2: holds NaN. Block 3: holds −Inf. Block 4: one huge value, the rest
        // tiny.
        var x = new float[32 * 5];
        float[] ties = [127f, 2.5f, -3.5f, 0.5f, 1.5f, -126.5f, -0.5f, 126.5f, 63.5f, -64.5f];
        ties.CopyTo(x, 0);
        x[64 + 3] = float.NaN;
        x[96 + 30] = float.NegativeInfinity;
        x[128] = 3e38f;
        x[129] = 1e-30f;
        x[130] = -2.4e36f;
        AssertMatches(x);

        var quantized = new sbyte[x.Length];
        var maxima = new double[5];
        VectorPreparation.QuantizeInt8(x, quantized, maxima);
        Assert.Equal(new sbyte[] { 127, -4, 2, 0, 64, 0 }, quantized[..6]);
        Assert.Equal(new sbyte[] { 2, 0, -126, 126, -64, 0 }, quantized[16..22]);
    }

    private static void AssertMatches(float[] x)
    {
        int groups = x.Length / 32;
        var quantized = new sbyte[x.Length];
        var maxima = new double[groups];
        VectorPreparation.QuantizeInt8(x, quantized, maxima);
        for (int g = 0; g < groups; g++)
        {
            var block = x.AsSpan(g * 32, 32);
            double max = 0;
            bool finite = true;
            foreach (float value in block)
            {
                finite &= float.IsFinite(value);
                max = Math.Max(max, Math.Abs((double)value));
            }

            Assert.Equal(finite ? max : double.NaN, maxima[g]);
            for (int i = 0; i < 32; i++)
            {
                int element = i < 16 ? 2 * i : (2 * (i - 16)) + 1;
                sbyte expected = !finite || max == 0 ? (sbyte)0
                    : (sbyte)Math.Clamp(Math.Round(block[element] * (127.0 / max), MidpointRounding.ToEven), -127, 127);
                Assert.True(expected == quantized[(g * 32) + i],
                    $"block {g} element {element}: {quantized[(g * 32) + i]}, expected {expected}");
            }
        }
    }
}
