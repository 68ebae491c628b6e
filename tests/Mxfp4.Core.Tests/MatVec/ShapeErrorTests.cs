using Mxfp4.Core.MatVec;
using Xunit;

namespace Mxfp4.Core.Tests.MatVec;

public class ShapeErrorTests
{
    private static readonly Mxfp4Matrix Matrix = MatVecTestData.Random(new Random(2), 5, 2).Matrix;

    [Fact]
    public void Wrong_vector_length_names_both_sizes()
    {
        var error = Assert.Throws<Mxfp4Exception>(() => Mxfp4MatVec.Multiply(Matrix, new float[63]));
        Assert.Equal("ShapeMismatch", error.ErrorId);
        Assert.Contains("63", error.Message);
        Assert.Contains("64", error.Message);
    }

    [Fact]
    public void Wrong_vector_length_in_a_batch()
    {
        var error = Assert.Throws<Mxfp4Exception>(() => Mxfp4MatVec.MultiplyBatch(Matrix, new[] { new float[64], new float[32] }));
        Assert.Equal("ShapeMismatch", error.ErrorId);
    }

    [Fact]
    public void Wrong_bias_length()
    {
        var error = Assert.Throws<Mxfp4Exception>(() => Mxfp4MatVec.Multiply(Matrix, new float[64], new float[4]));
        Assert.Equal("ShapeMismatch", error.ErrorId);
        Assert.Contains("4", error.Message);
        Assert.Contains("5", error.Message);
    }

    [Fact]
    public void SwiGLU_with_odd_rows()
    {
        var error = Assert.Throws<Mxfp4Exception>(() => Mxfp4MatVec.Multiply(Matrix, new float[64], activation: MatVecActivation.SwiGLU));
        Assert.Equal("ShapeMismatch", error.ErrorId);
    }

    [Fact]
    public void Wrong_destination_length()
    {
        var error = Assert.Throws<Mxfp4Exception>(() => Mxfp4MatVec.Multiply(Matrix, new float[64], new float[4].AsSpan()));
        Assert.Equal("ShapeMismatch", error.ErrorId);
    }

    [Fact]
    public void Blocks_and_scales_that_do_not_form_rows()
    {
        var error = Assert.Throws<Mxfp4Exception>(() => new Mxfp4Matrix(new byte[16 * 5], new byte[5], 2));
        Assert.Equal("ShapeMismatch", error.ErrorId);
        Assert.Throws<Mxfp4Exception>(() => new Mxfp4Matrix(new byte[16 * 3], new byte[4], 2));
    }
}
