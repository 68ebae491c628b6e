using Mxfp4.Core.MatVec;
using Mxfp4.Core.Tensors;
using Xunit;

namespace Mxfp4.Core.Tests.Tensors;

/// <summary>The one storage view of blocks and scales, file-backed or in memory, against the bytes it was built from.</summary>
public class Mxfp4StorageTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void File_and_memory_views_give_the_same_groups_as_the_bytes(bool separateFiles)
    {
        using var fixture = new Mxfp4Fixture(45, separateFiles);
        var views = new[] { fixture.Source.Storage, Mxfp4Storage.InMemory(fixture.Blocks, fixture.Scales) };
        foreach (var view in views)
        {
            Assert.Equal(45, view.GroupCount);
            view.GetGroups(7, 20, out var blocks, out var scales);
            Assert.Equal(fixture.Blocks.AsSpan(7 * 16, 20 * 16).ToArray(), blocks.ToArray());
            Assert.Equal(fixture.Scales.AsSpan(7, 20).ToArray(), scales.ToArray());

            var slice = view.Slice(5, 30);
            Assert.Equal(30, slice.GroupCount);
            slice.GetGroups(2, 28, out blocks, out scales);
            Assert.Equal(fixture.Blocks.AsSpan(7 * 16, 28 * 16).ToArray(), blocks.ToArray());
            Assert.Equal(fixture.Scales.AsSpan(7, 28).ToArray(), scales.ToArray());
            Assert.Throws<ArgumentOutOfRangeException>(() => slice.GetGroups(2, 29, out _, out _));
            Assert.Throws<ArgumentOutOfRangeException>(() => view.Slice(-1, 2));
        }
    }

    [Fact]
    public void Memory_lengths_must_describe_the_same_groups()
        => Assert.Throws<ArgumentException>(() => Mxfp4Storage.InMemory(new byte[33], new byte[2]));

    [Fact]
    public void A_matrix_over_a_tensor_storage_reads_its_rows()
    {
        using var fixture = new Mxfp4Fixture(12, separateFiles: true);
        var matrix = new Mxfp4Matrix(fixture.Source.Storage, rows: 4, groupsPerRow: 3, name: "m");
        matrix.GetRows(2, 2, out var blocks, out var scales);
        Assert.Equal(fixture.Blocks.AsSpan(6 * 16, 6 * 16).ToArray(), blocks.ToArray());
        Assert.Equal(fixture.Scales.AsSpan(6, 6).ToArray(), scales.ToArray());
        var error = Assert.Throws<Mxfp4Exception>(() => new Mxfp4Matrix(fixture.Source.Storage, rows: 5, groupsPerRow: 3, name: "m"));
        Assert.Equal("ShapeMismatch", error.ErrorId);
    }
}
