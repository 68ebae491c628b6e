using FsCheck.Xunit;
using Mxfp4.Core.MatVec;
using Xunit;

namespace Mxfp4.Core.Tests.MatVec;

public class ExactPrecisionTests
{
    [Fact]
    public void Hand_computed_block_with_bias()
    {
        // byte 0 = 0x21: element 0 = 0.5, element 1 = 1; byte 1 = 0xF7: element 2 = 6, element 3 = -6; scale 128 doubles them.
        var blocks = new byte[16];
        blocks[0] = 0x21;
        blocks[1] = 0xF7;
        var matrix = new Mxfp4Matrix(blocks, new byte[] { 128 }, 1);
        var x = new float[32];
        x[0] = 1;
        x[1] = 2;
        x[2] = 3;
        x[3] = 4;

        // 2·(0.5·1 + 1·2 + 6·3 − 6·4) = −7, plus 0.25.
        Assert.Equal(new[] { -6.75f }, Mxfp4MatVec.Multiply(matrix, x, new[] { 0.25f }));
        Assert.Equal(new[] { -7f }, Mxfp4MatVec.Multiply(matrix, x));
    }

    [Fact]
    public void Random_shapes_stay_within_the_documented_bound()
    {
        var random = new Random(1234);
        for (int trial = 0; trial < 12; trial++)
        {
            int rows = random.Next(1, 71);
            int groups = random.Next(1, 91);
            var data = MatVecTestData.Random(random, rows, groups);
            var x = MatVecTestData.RandomVector(random, data.Columns);
            var bias = MatVecTestData.RandomVector(random, rows, 2.0);
            var y = Mxfp4MatVec.Multiply(data.Matrix, x, bias);
            Assert.Equal(rows, y.Length);
            for (int r = 0; r < rows; r++)
            {
                var (sum, abs) = data.Reference(r, x, bias[r]);
                MatVecTestData.AssertWithin(y[r], sum, data.ExactBound(r, abs), $"trial {trial} row {r} ({rows}x{data.Columns})");
            }
        }
    }

    [Fact]
    public void Edge_scales_follow_the_reference_weights()
    {
        // 0: subnormal weights; 1: tiny; 252: largest scale with all-finite weights; 253/254: some weights are ±Inf in
        // the reference; 255: NaN blocks.
        var random = new Random(99);
        var data = MatVecTestData.Random(random, 40, 6, scaleChoices: new byte[] { 0, 1, 0, 1, 127, 252, 253, 254 });
        var x = MatVecTestData.RandomVector(random, data.Columns, 1e-3);
        var y = Mxfp4MatVec.Multiply(data.Matrix, x);
        for (int r = 0; r < data.Rows; r++)
        {
            var (sum, abs) = data.Reference(r, x);
            MatVecTestData.AssertWithin(y[r], sum, data.ExactBound(r, abs), $"row {r}");
        }
    }

    [Fact]
    public void Subnormal_scale_rows_are_exact_to_the_bound()
    {
        var random = new Random(5);
        var data = MatVecTestData.Random(random, 8, 90, scaleChoices: new byte[] { 0 });
        var x = MatVecTestData.RandomVector(random, data.Columns);
        var y = Mxfp4MatVec.Multiply(data.Matrix, x);
        for (int r = 0; r < data.Rows; r++)
        {
            var (sum, abs) = data.Reference(r, x);
            Assert.NotEqual(0f, y[r]);
            MatVecTestData.AssertWithin(y[r], sum, data.ExactBound(r, abs), $"row {r}");
        }
    }

    [Fact]
    public void NaN_scale_makes_only_its_row_NaN()
    {
        var random = new Random(7);
        var data = MatVecTestData.Random(random, 6, 4);
        data.Scales[(3 * 4) + 2] = 255;
        var x = MatVecTestData.RandomVector(random, data.Columns);
        var y = Mxfp4MatVec.Multiply(data.Matrix, x);
        for (int r = 0; r < data.Rows; r++)
        {
            if (r == 3)
            {
                Assert.Equal(0x7FC0_0000u, BitConverter.SingleToUInt32Bits(y[r]));
            }
            else
            {
                var (sum, abs) = data.Reference(r, x);
                MatVecTestData.AssertWithin(y[r], sum, data.ExactBound(r, abs), $"row {r}");
            }
        }
    }

    [Property(MaxTest = 40)]
    public bool Any_seed_stays_within_the_bound(int seed)
    {
        var random = new Random(seed);
        var data = MatVecTestData.Random(random, random.Next(1, 9), random.Next(1, 20), lowScale: 0, highScale: 252);
        var x = MatVecTestData.RandomVector(random, data.Columns, Math.ScaleB(1.0, random.Next(-20, 20)));
        var y = Mxfp4MatVec.Multiply(data.Matrix, x);
        for (int r = 0; r < data.Rows; r++)
        {
            var (sum, abs) = data.Reference(r, x);
            if (!(Math.Abs(y[r] - sum) <= data.ExactBound(r, abs))
                && !(float.IsInfinity(y[r]) && Math.Abs(sum) >= float.MaxValue * (1 - 1e-6)))
            {
                return false;
            }
        }

        return true;
    }
}
