using Mxfp4.Core.MatVec;
using Xunit;

namespace Mxfp4.Core.Tests.MatVec;

public class ParallelTests
{
    [Theory]
    [InlineData(MatVecPrecision.Exact, MatVecActivation.None)]
    [InlineData(MatVecPrecision.Int8, MatVecActivation.None)]
    [InlineData(MatVecPrecision.Exact, MatVecActivation.SwiGLU)]
    public void Thread_counts_give_identical_bits(MatVecPrecision precision, MatVecActivation activation)
    {
        var random = new Random(21);
        var data = MatVecTestData.Random(random, 250, 90);
        var x = MatVecTestData.RandomVector(random, data.Columns);
        var bias = MatVecTestData.RandomVector(random, data.Rows);
        var one = Mxfp4MatVec.Multiply(data.Matrix, x, bias, precision, activation, threads: 1);
        var two = Mxfp4MatVec.Multiply(data.Matrix, x, bias, precision, activation, threads: 2);
        var three = Mxfp4MatVec.Multiply(data.Matrix, x, bias, precision, activation, threads: 3);
        Assert.Equal(Bits(one), Bits(two));
        Assert.Equal(Bits(one), Bits(three));
    }

    [Fact]
    public void Pre_cancelled_token_throws()
    {
        var data = MatVecTestData.Random(new Random(1), 64, 4);
        using var source = new CancellationTokenSource();
        source.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(()
            => Mxfp4MatVec.Multiply(data.Matrix, new float[data.Columns], cancellationToken: source.Token));
        Assert.ThrowsAny<OperationCanceledException>(()
            => Mxfp4MatVec.MultiplyBatch(data.Matrix, new[] { new float[data.Columns] }, cancellationToken: source.Token));
    }

    [Theory]
    [InlineData(MatVecPrecision.Exact, MatVecActivation.None)]
    [InlineData(MatVecPrecision.Int8, MatVecActivation.SwiGLU)]
    public void Batch_equals_one_vector_at_a_time(MatVecPrecision precision, MatVecActivation activation)
    {
        var random = new Random(33);
        var data = MatVecTestData.Random(random, 130, 45);
        var vectors = Enumerable.Range(0, 5).Select(_ => MatVecTestData.RandomVector(random, data.Columns)).ToArray();
        var bias = MatVecTestData.RandomVector(random, data.Rows);
        var batch = Mxfp4MatVec.MultiplyBatch(data.Matrix, vectors, bias, precision, activation, threads: 2);
        Assert.Equal(vectors.Length, batch.Length);
        for (int v = 0; v < vectors.Length; v++)
        {
            Assert.Equal(Bits(Mxfp4MatVec.Multiply(data.Matrix, vectors[v], bias, precision, activation, threads: 1)), Bits(batch[v]));
        }
    }

    [Fact]
    public void Destination_overload_writes_the_same_values()
    {
        var random = new Random(34);
        var data = MatVecTestData.Random(random, 33, 7);
        var x = MatVecTestData.RandomVector(random, data.Columns);
        var destination = new float[data.Rows];
        Mxfp4MatVec.Multiply(data.Matrix, x, destination.AsSpan());
        Assert.Equal(Bits(Mxfp4MatVec.Multiply(data.Matrix, x)), Bits(destination));
    }

    private static uint[] Bits(float[] values) => Array.ConvertAll(values, BitConverter.SingleToUInt32Bits);
}
