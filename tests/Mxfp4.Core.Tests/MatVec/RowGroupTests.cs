using Mxfp4.Core.Formats;
using Mxfp4.Core.MatVec;
using Xunit;

namespace Mxfp4.Core.Tests.MatVec;

/// <summary>
/// The vector kernels take rows in groups (four at a time for Int8 on AVX2, pairs elsewhere) and send rows holding a wide
/// scale to the float64 route one by one: every row count, and a wide row at every place in a group, must give the
/// scalar path's row sums bit for bit.
/// </summary>
public class RowGroupTests
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
    public void Every_row_count_matches_the_scalar_path(KernelPath path, MatVecPrecision precision)
    {
        var random = new Random(401 + (int)path + (10 * (int)precision));
        for (int rows = 1; rows <= 13; rows++)
        {
            var data = MatVecTestData.Random(random, rows, 1 + random.Next(12));
            var x = MatVecTestData.RandomVector(random, data.Columns);
            Assert.Equal(SumBits(RowSums(data, x, precision, KernelPath.Scalar)), SumBits(RowSums(data, x, precision, path)));
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void A_wide_row_anywhere_in_a_group_matches_the_scalar_path(KernelPath path, MatVecPrecision precision)
    {
        var random = new Random(509 + (int)path + (10 * (int)precision));
        foreach (int rows in new[] { 4, 5, 8, 9, 11 })
        {
            for (int wide = 0; wide < rows; wide++)
            {
                var data = MatVecTestData.Random(random, rows, 5);
                data.Scales[(wide * 5) + random.Next(5)] = (byte)(253 + random.Next(3));
                var x = MatVecTestData.RandomVector(random, data.Columns);
                var scalar = RowSums(data, x, precision, KernelPath.Scalar);
                var vector = RowSums(data, x, precision, path);
                Assert.Equal(SumBits(scalar), SumBits(vector));
                Assert.True(double.IsNaN(vector[wide]) || double.IsInfinity(vector[wide]),
                    $"row {wide} of {rows} holds a wide scale but sums to {vector[wide]}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Rows_of_a_group_keep_their_own_sums(KernelPath path, MatVecPrecision precision)
    {
        // Identical rows but for one block: only that row's sum may change, so a kernel that mixes up the rows of a
        // group fails.
        var random = new Random(613 + (int)path);
        var data = MatVecTestData.Random(random, 8, 7, lowScale: 127, highScale: 127);
        for (int r = 1; r < data.Rows; r++)
        {
            Array.Copy(data.Blocks, 0, data.Blocks, r * 7 * 16, 7 * 16);
            Array.Copy(data.Scales, 0, data.Scales, r * 7, 7);
        }

        int changed = 2 + random.Next(5);
        data.Blocks[(changed * 7 * 16) + 3] = (byte)(data.Blocks[3] == 0x77 ? 0x11 : 0x77);
        var x = MatVecTestData.RandomVector(random, data.Columns);
        var sums = RowSums(data, x, precision, path);
        for (int r = 0; r < data.Rows; r++)
        {
            var (reference, _) = data.Reference(r, x);
            if (r == changed)
            {
                Assert.True(sums[0] != sums[r], $"row {r}: {sums[r]} (reference {reference}) equals row 0's {sums[0]}");
            }
            else
            {
                Assert.Equal(sums[0], sums[r]);
            }

            Assert.True(Math.Abs(sums[r] - reference) <= 0.02 * Math.Abs(reference) + 1e-3, $"row {r}: {sums[r]} vs {reference}");
        }
    }

    [Theory]
    [InlineData(MatVecPrecision.Exact)]
    [InlineData(MatVecPrecision.Int8)]
    public void Products_over_many_chunks_match_the_scalar_path_on_every_thread_count(MatVecPrecision precision)
    {
        // 203 rows of 90 groups: about ten chunks, whose windows reach into the next chunk for prefetching, two workers'
        // parts, and wide rows at the ends of chunks and parts.
        var random = new Random(719);
        var data = MatVecTestData.Random(random, 203, 90);
        foreach (int row in new[] { 19, 20, 99, 100, 101, 202 })
        {
            data.Scales[(row * 90) + random.Next(90)] = 254;
        }

        var x = MatVecTestData.RandomVector(random, data.Columns);
        var scalar = Mxfp4MatVec.Multiply(data.Matrix, x, default, precision, MatVecActivation.None, 1, KernelPath.Scalar, default);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var vector = Mxfp4MatVec.Multiply(data.Matrix, x, default, precision, MatVecActivation.None, threads, Mxfp4MatVec.ActivePath,
                default);
            Assert.Equal(Array.ConvertAll(scalar, BitConverter.SingleToUInt32Bits),
                Array.ConvertAll(vector, BitConverter.SingleToUInt32Bits));
        }
    }

    private static double[] RowSums(MatVecTestData data, float[] x, MatVecPrecision precision, KernelPath path)
    {
        var sums = new double[data.Rows];
        if (precision == MatVecPrecision.Exact)
        {
            var prepared = new float[x.Length];
            VectorPreparation.Deinterleave(x, prepared);
            byte firstWide = WideScales.First(x, data.Groups, ExactDotKernel.BlockBound);
            ExactDotKernel.Rows(data.Blocks, data.Scales, data.Groups, prepared, firstWide, sums, path);
        }
        else
        {
            var quantized = new sbyte[x.Length];
            var maxima = new double[data.Groups];
            VectorPreparation.QuantizeInt8(x, quantized, maxima);
            Int8DotKernel.Rows(data.Blocks, data.Scales, data.Groups, quantized, maxima,
                WideScales.First(x, data.Groups, Int8DotKernel.BlockBound), sums, path);
        }

        return sums;
    }

    private static long[] SumBits(double[] sums)
        => Array.ConvertAll(sums, sum => double.IsNaN(sum) ? -1 : BitConverter.DoubleToInt64Bits(sum));
}
