using Mxfp4.Core.MatVec;
using Xunit;

namespace Mxfp4.Core.Tests.MatVec;

public class Int8PrecisionTests
{
    [Fact]
    public void Hand_computed_block()
    {
        var blocks = new byte[16];
        blocks[0] = 0x21;
        blocks[1] = 0xF7;
        var matrix = new Mxfp4Matrix(blocks, new byte[] { 128 }, 1);
        var x = new float[32];
        x[0] = 1;
        x[1] = 2;
        x[2] = 3;
        x[3] = 4;

        // max|x| = 4: q = round(x·127/4) = 32, 64 (63.5 to even), 95, 127, i.e. x ≈ 128/127, 256/127, 380/127, 4.
        // y = 2·(0.5·128 + 1·256 + 6·380 − 6·508)/127 = −896/127.
        var y = Mxfp4MatVec.Multiply(matrix, x, precision: MatVecPrecision.Int8);
        Assert.Equal(new[] { (float)(-896.0 / 127.0) }, y);
    }

    [Fact]
    public void Random_shapes_stay_within_the_documented_bound()
    {
        var random = new Random(4321);
        for (int trial = 0; trial < 12; trial++)
        {
            int rows = random.Next(1, 71);
            int groups = random.Next(1, 91);
            var data = MatVecTestData.Random(random, rows, groups, lowScale: 0, highScale: 252);
            var x = MatVecTestData.RandomVector(random, data.Columns);
            var y = Mxfp4MatVec.Multiply(data.Matrix, x, precision: MatVecPrecision.Int8);
            for (int r = 0; r < rows; r++)
            {
                var (sum, abs) = data.Reference(r, x);
                MatVecTestData.AssertWithin(y[r], sum, data.Int8Bound(r, x, abs), $"trial {trial} row {r}");
            }
        }
    }

    [Fact]
    public void The_bound_is_not_vacuous()
    {
        // Int8 must actually differ from Exact on random data, and stay far closer than the vector's own size.
        var random = new Random(11);
        var data = MatVecTestData.Random(random, 16, 90);
        var x = MatVecTestData.RandomVector(random, data.Columns);
        var exact = Mxfp4MatVec.Multiply(data.Matrix, x);
        var int8 = Mxfp4MatVec.Multiply(data.Matrix, x, precision: MatVecPrecision.Int8);
        Assert.NotEqual(exact, int8);
        for (int r = 0; r < data.Rows; r++)
        {
            var (_, abs) = data.Reference(r, x);
            Assert.True(Math.Abs(exact[r] - int8[r]) < abs * 0.01, $"row {r}");
        }
    }

    [Fact]
    public void Non_finite_vector_block_makes_every_row_NaN()
    {
        var random = new Random(3);
        var data = MatVecTestData.Random(random, 4, 3);
        var x = MatVecTestData.RandomVector(random, data.Columns);
        x[40] = float.PositiveInfinity;
        var y = Mxfp4MatVec.Multiply(data.Matrix, x, precision: MatVecPrecision.Int8);
        Assert.All(y, value => Assert.True(float.IsNaN(value)));
    }

    [Fact]
    public void NaN_scale_makes_only_its_row_NaN()
    {
        var random = new Random(8);
        var data = MatVecTestData.Random(random, 5, 3);
        data.Scales[4] = 255;
        var x = MatVecTestData.RandomVector(random, data.Columns);
        var y = Mxfp4MatVec.Multiply(data.Matrix, x, precision: MatVecPrecision.Int8);
        for (int r = 0; r < data.Rows; r++)
        {
            Assert.Equal(r == 1, float.IsNaN(y[r]));
        }
    }
}
