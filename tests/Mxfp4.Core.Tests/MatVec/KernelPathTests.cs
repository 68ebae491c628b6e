using Mxfp4.Core.MatVec;
using Mxfp4.Core.Mxfp4;
using Xunit;

namespace Mxfp4.Core.Tests.MatVec;

public class KernelPathTests
{
    public static TheoryData<KernelPath, MatVecPrecision> Paths()
    {
        var data = new TheoryData<KernelPath, MatVecPrecision>();
        foreach (var precision in new[] { MatVecPrecision.Exact, MatVecPrecision.Int8 })
        {
            foreach (var path in new[] { KernelPath.Vector128, KernelPath.Vector256, KernelPath.Vector512 })
            {
                data.Add(path, precision);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Every_path_matches_the_scalar_path_bit_for_bit(KernelPath path, MatVecPrecision precision)
    {
        var random = new Random(17 + (int)path);
        for (int trial = 0; trial < 6; trial++)
        {
            var data = MatVecTestData.Random(random, random.Next(1, 40), random.Next(1, 91), scaleChoices: new byte[] { 0, 1, 100, 120, 127, 130, 252, 253, 254, 255 });
            var x = MatVecTestData.RandomVector(random, data.Columns, Math.ScaleB(1.0, random.Next(-30, 10)));
            var scalar = Mxfp4MatVec.Multiply(data.Matrix, x, default, precision, MatVecActivation.None, 1, KernelPath.Scalar, default);
            var vector = Mxfp4MatVec.Multiply(data.Matrix, x, default, precision, MatVecActivation.None, 1, path, default);
            Assert.Equal(Bits(scalar), Bits(vector));
        }
    }

    [Fact]
    public void Active_path_is_one_of_the_tested_paths()
    {
        Assert.True(Enum.IsDefined(Mxfp4MatVec.ActivePath));
    }

    private static uint[] Bits(float[] values) => Array.ConvertAll(values, BitConverter.SingleToUInt32Bits);
}
