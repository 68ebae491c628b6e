using FsCheck.Xunit;
using Mxfp4.Core.Verification;
using Xunit;

namespace Mxfp4.Core.Tests.Verification;

/// <summary>The vectorized statistics against a plain loop over the same pairs, written from the definitions.</summary>
public sealed class DifferenceAccumulatorTests
{
    private static readonly float[] Specials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, float.MaxValue,
        -float.MaxValue, float.Epsilon];

    [Property(MaxTest = 300)]
    public bool Statistics_match_a_scalar_reference(int seed, int lengthSeed, bool mostlyEqual)
    {
        // Mostly equal inputs take the vector path's shortcut for whole vectors of equal finite values.
        var random = new Random(seed);
        int n = Math.Abs(lengthSeed % 3000);
        var a = new float[n];
        var b = new float[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = Pick(random);
            b[i] = random.Next(mostlyEqual ? 100 : 3) != 0 == mostlyEqual ? a[i] : Pick(random);
        }

        var acc = default(DifferenceAccumulator);
        acc.Add(a, b);

        long different = 0, aNaN = 0, bNaN = 0, aInf = 0, bInf = 0, finite = 0;
        double maxAbs = 0, maxRel = 0, sum = 0;
        bool mismatch = false;
        for (int i = 0; i < n; i++)
        {
            double x = a[i], y = b[i];
            bool same = x == y || (double.IsNaN(x) && double.IsNaN(y));
            different += same ? 0 : 1;
            aNaN += double.IsNaN(x) ? 1 : 0;
            bNaN += double.IsNaN(y) ? 1 : 0;
            aInf += double.IsInfinity(x) ? 1 : 0;
            bInf += double.IsInfinity(y) ? 1 : 0;
            if (double.IsFinite(x) && double.IsFinite(y))
            {
                finite++;
                double d = Math.Abs(x - y);
                maxAbs = Math.Max(maxAbs, d);
                double m = Math.Max(Math.Abs(x), Math.Abs(y));
                maxRel = Math.Max(maxRel, m == 0 ? 0 : d / m);
                sum += d * d;
            }
            else
            {
                mismatch |= !same;
            }
        }

        return acc.Elements == n && acc.Different == different && acc.ReferenceNaN == aNaN && acc.DifferenceNaN == bNaN
            && acc.ReferenceInfinity == aInf && acc.DifferenceInfinity == bInf && acc.FiniteBoth == finite
            && acc.MaxAbs == maxAbs && acc.MaxRel == maxRel && acc.NonFiniteMismatch == mismatch
            && Math.Abs(acc.SumSquares - sum) <= 1e-9 * Math.Max(1, sum);
    }

    [Fact]
    public void Minus_zero_equals_plus_zero_and_NaN_equals_NaN()
    {
        var acc = default(DifferenceAccumulator);
        acc.Add([0f, float.NaN, 1f], [-0f, -float.NaN, 1f]);
        Assert.Equal(0, acc.Different);
        Assert.False(acc.NonFiniteMismatch);
    }

    [Fact]
    public void The_difference_of_two_floats_is_exact()
    {
        // 1 + 2^-23 and 2^-30: their float32 difference would round; in float64 it is exact.
        float x = 1f + MathF.Pow(2, -23);
        float y = MathF.Pow(2, -30);
        var acc = default(DifferenceAccumulator);
        acc.Add(Enumerable.Repeat(x, 17).ToArray(), Enumerable.Repeat(y, 17).ToArray());
        Assert.Equal((double)x - y, acc.MaxAbs);
    }

    private static float Pick(Random random) => random.Next(8) switch
    {
        0 => Specials[random.Next(Specials.Length)],
        1 => BitConverter.Int32BitsToSingle(random.Next()),
        _ => (float)((random.NextDouble() - 0.5) * 8),
    };
}
