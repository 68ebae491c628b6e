using System.Runtime.InteropServices;
using Mxfp4.Core.Formats;
using Mxfp4.Core.MatVec;
using Mxfp4.Core.Tests.Formats;
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
            var data = MatVecTestData.Random(random, random.Next(1, 40), random.Next(1, 91),
                scaleChoices: new byte[] { 0, 1, 100, 120, 127, 130, 252, 253, 254, 255 });
            var x = MatVecTestData.RandomVector(random, data.Columns, Math.ScaleB(1.0, random.Next(-30, 10)));
            var scalar = Mxfp4MatVec.Multiply(data.Matrix, x, default, precision, MatVecActivation.None, 1, KernelPath.Scalar, default);
            var vector = Mxfp4MatVec.Multiply(data.Matrix, x, default, precision, MatVecActivation.None, 1, path, default);
            Assert.Equal(Bits(scalar), Bits(vector));
        }
    }

    [Theory]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void Every_path_gives_the_scalar_float64_row_sums(KernelPath path)
    {
        // Float32 outputs hide most float64 differences, so the row sums are compared before rounding.
        var random = new Random(71 + (int)path);
        var data = MatVecTestData.Random(random, 50, 90, scaleChoices: new byte[] { 0, 90, 120, 127, 135, 200, 252 });
        for (int i = 0; i < 12; i++)
        {
            data.Scales[random.Next(data.Scales.Length)] = (byte)(253 + (i % 3));
        }

        var x = MatVecTestData.RandomVector(random, data.Columns);
        var exactX = new float[x.Length];
        VectorPreparation.Deinterleave(x, exactX);
        var quantized = new sbyte[x.Length];
        var maxima = new double[data.Groups];
        VectorPreparation.QuantizeInt8(x, quantized, maxima);

        var expected = new double[data.Rows];
        var actual = new double[data.Rows];
        byte firstWideScale = WideScales.First(x, data.Groups, ExactDotKernel.BlockBound);
        ExactDotKernel.Rows(data.Blocks, data.Scales, data.Groups, exactX, firstWideScale, expected, KernelPath.Scalar);
        ExactDotKernel.Rows(data.Blocks, data.Scales, data.Groups, exactX, firstWideScale, actual, path);
        Assert.Equal(SumBits(expected), SumBits(actual));

        byte firstWideInt8 = WideScales.First(x, data.Groups, Int8DotKernel.BlockBound);
        Int8DotKernel.Rows(data.Blocks, data.Scales, data.Groups, quantized, maxima, firstWideInt8, expected, KernelPath.Scalar);
        Int8DotKernel.Rows(data.Blocks, data.Scales, data.Groups, quantized, maxima, firstWideInt8, actual, path);
        Assert.Equal(SumBits(expected), SumBits(actual));
    }

    [Fact]
    public void The_active_path_uses_only_instructions_the_processor_has_and_is_the_widest_it_can()
    {
        var flags = ProcessorFlags.Read();
        if (flags is null || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return;
        }

        var active = Mxfp4MatVec.ActivePath;
        Assert.True(active != KernelPath.Vector512 || flags.Contains("avx512f"));
        Assert.True(active != KernelPath.Vector256 || (flags.Contains("avx2") && flags.Contains("fma")));
        Assert.True(active != KernelPath.Vector128 || flags.Contains("fma"));
        if (!ProcessorFlags.RuntimeRestricted() && flags.Contains("avx2") && flags.Contains("fma"))
        {
            Assert.True(active >= KernelPath.Vector256, $"AVX2 and FMA are present but the active path is {active}.");
        }
    }

    /// <summary>Bits of each sum, every NaN counted as one (their signs are not specified before the output's canonical NaN).</summary>
    private static long[] SumBits(double[] sums)
        => Array.ConvertAll(sums, sum => double.IsNaN(sum) ? -1 : BitConverter.DoubleToInt64Bits(sum));

    private static uint[] Bits(float[] values) => Array.ConvertAll(values, BitConverter.SingleToUInt32Bits);
}
