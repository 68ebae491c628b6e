using Mxfp4.Core.MatVec;
using Xunit;

namespace Mxfp4.Core.Tests.MatVec;

/// <summary>The float32 kernels hand rows to the float64 route before their lanes could overflow.</summary>
public class WideScalesTests
{
    [Fact]
    public void Hand_computed_threshold()
    {
        // max|x| = 1, G = 90, Exact's bound 384 per block: 384·90 = 34560 ≈ 2^15.08, so 2^(s−128)·34560 < 2^126 holds
        // up to s = 238 (2^125.08) and fails from s = 239 (2^126.08).
        var x = new float[90 * 32];
        x[7] = -1;
        x[100] = 0.5f;
        Assert.Equal(239, WideScales.First(x, 90, ExactDotKernel.BlockBound));
    }

    [Fact]
    public void Zero_vector_only_stops_at_the_overflow_scales()
    {
        Assert.Equal(253, WideScales.First(new float[64], 2, ExactDotKernel.BlockBound));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(1e37f)]
    public void Non_finite_or_huge_vector_sends_every_row_to_float64(float value)
    {
        var x = new float[64];
        x[3] = value;
        Assert.Equal(0, WideScales.First(x, 2, Int8DotKernel.BlockBound));
    }

    [Theory]
    [InlineData(MatVecPrecision.Exact)]
    [InlineData(MatVecPrecision.Int8)]
    public void Huge_products_give_the_reference_infinities_not_NaN(MatVecPrecision precision)
    {
        // Scale 252 and |x| near 2^40: the float32 lanes would overflow to +Inf and −Inf within one row and cancel to
        // NaN; the float64 route gives what the reference gives.
        var random = new Random(252);
        var data = MatVecTestData.Random(random, 12, 4, scaleChoices: [100, 252]);
        var x = MatVecTestData.RandomVector(random, data.Columns, Math.ScaleB(1.0, 40));
        var y = Mxfp4MatVec.Multiply(data.Matrix, x, precision: precision);
        for (int r = 0; r < data.Rows; r++)
        {
            var (sum, abs) = data.Reference(r, x);
            if (precision == MatVecPrecision.Exact)
            {
                MatVecTestData.AssertWithin(y[r], sum, data.ExactBound(r, abs), $"row {r}");
            }
            else
            {
                Assert.False(float.IsNaN(y[r]), $"row {r} is NaN; the reference is {sum}");
            }
        }
    }
}
