using Mxfp4.Core.Tensors;
using Xunit;

namespace Mxfp4.Core.Tests.Tensors;

public sealed class TensorSliceTests
{
    private static readonly long[] Experts3D = [4, 6, 64];

    [Fact]
    public void No_selection_is_the_whole_tensor()
    {
        var slice = Assert.Single(TensorSlice.Select("t", Experts3D, null, null));

        Assert.Equal([(0L, 4L * 6 * 64)], slice.Ranges);
        Assert.Null(slice.Expert);
        Assert.Equal(Experts3D, slice.Shape);
        Assert.True(slice.IsContiguous);
    }

    [Fact]
    public void Each_expert_is_one_contiguous_matrix()
    {
        var slices = TensorSlice.Select("t", Experts3D, [2, 0], null);

        Assert.Equal([2, 0], slices.Select(s => s.Expert!.Value));
        Assert.Equal([(2L * 6 * 64, 6L * 64)], slices[0].Ranges);
        Assert.Equal([(0L, 6L * 64)], slices[1].Ranges);
        Assert.Equal(new long[] { 6, 64 }, slices[0].Shape);
        Assert.Equal(6 * 64, slices[0].ElementCount);
    }

    [Fact]
    public void Rows_of_an_expert_merge_when_consecutive()
    {
        var slice = Assert.Single(TensorSlice.Select("t", Experts3D, [1], [1, 2, 3, 5, 0]));

        long expert = 6 * 64;
        Assert.Equal([(expert + 64, 3 * 64L), (expert + (5 * 64), 64L), (expert, 64L)], slice.Ranges);
        Assert.Equal(new long[] { 5, 64 }, slice.Shape);
        Assert.Equal(5 * 64, slice.ElementCount);
        Assert.False(slice.IsContiguous);
    }

    [Fact]
    public void Rows_of_a_2D_tensor_without_an_expert()
    {
        var slice = Assert.Single(TensorSlice.Select("t", [10, 32], null, [7, 8]));

        Assert.Equal([(7L * 32, 64L)], slice.Ranges);
        Assert.True(slice.IsContiguous);
        Assert.Null(slice.Expert);
    }

    [Fact]
    public void Rows_without_an_expert_count_all_rows_of_a_3D_tensor()
    {
        var slice = Assert.Single(TensorSlice.Select("t", Experts3D, null, [23]));

        Assert.Equal([(23L * 64, 64L)], slice.Ranges);
        Assert.Equal("RowOutOfRange", Assert.Throws<Mxfp4Exception>(() => TensorSlice.Select("t", Experts3D, null, [24])).ErrorId);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    public void Experts_outside_the_tensor_are_ExpertOutOfRange(int expert)
    {
        var error = Assert.Throws<Mxfp4Exception>(() => TensorSlice.Select("t", Experts3D, [0, expert], null));

        Assert.Equal("ExpertOutOfRange", error.ErrorId);
        Assert.Equal("t", error.Target);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(6)]
    public void Rows_outside_an_expert_are_RowOutOfRange(long row)
    {
        var error = Assert.Throws<Mxfp4Exception>(() => TensorSlice.Select("t", Experts3D, [3], [0, row]));

        Assert.Equal("RowOutOfRange", error.ErrorId);
        Assert.Equal(Mxfp4ErrorCategory.InvalidArgument, error.Category);
    }

    [Fact]
    public void An_expert_of_a_2D_tensor_is_InvalidSlice()
    {
        var error = Assert.Throws<Mxfp4Exception>(() => TensorSlice.Select("w", [10, 32], [0], null));

        Assert.Equal("InvalidSlice", error.ErrorId);
        Assert.Equal("w", error.Target);
    }
}
