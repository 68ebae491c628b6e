using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;
using Mxfp4.Core.Tests.Conversion;
using Xunit;

namespace Mxfp4.Core.Tests.Tensors;

public sealed class Mxfp4PairingTests
{
    [Fact]
    public void Both_naming_styles_pair_with_the_logical_shape()
    {
        var results = Mxfp4Pairing.Pair(
        [
            Tensor("a.blocks", SafetensorsDType.U8, [4, 6, 3, 16]),
            Tensor("norm.weight", SafetensorsDType.BF16, [8]),
            Tensor("a.scales", SafetensorsDType.U8, [4, 6, 3]),
            Tensor("b_scales", SafetensorsDType.U8, [5, 2]),
            Tensor("b_blocks", SafetensorsDType.U8, [5, 2, 16]),
        ]);

        Assert.All(results, r => Assert.Null(r.Error));
        var a = results[0].Tensor!;
        var b = results[1].Tensor!;
        Assert.Equal(("a", Mxfp4NamingStyle.GptOss), (a.Name, a.NamingStyle));
        Assert.Equal(new long[] { 4, 6, 96 }, a.Shape);
        Assert.Equal(("b", Mxfp4NamingStyle.HuggingFace), (b.Name, b.NamingStyle));
        Assert.Equal(new long[] { 5, 64 }, b.Shape);
        Assert.Equal(4 * 6 * 3, a.GroupCount);
        Assert.Equal(4 * 6 * 96, a.ElementCount);
        Assert.Equal("a.blocks", a.Blocks.Name);
        Assert.Equal("a.scales", a.Scales.Name);
    }

    [Fact]
    public void The_sample_pairs_layer_1_across_its_two_shards()
    {
        using var checkpoint = Checkpoint.Open(Path.Combine(SampleCheckpointFiles.SamplesDirectory, SampleCheckpointFiles.HuggingFace));

        var results = Mxfp4Pairing.Pair(checkpoint.Tensors);

        Assert.Equal(4, results.Count);
        Assert.All(results, r => Assert.Null(r.Error));
        var gateUp = results.Single(r => r.Tensor!.Name == "model.layers.1.mlp.experts.gate_up_proj").Tensor!;
        Assert.EndsWith("model-00001-of-00002.safetensors", gateUp.Blocks.Path, StringComparison.Ordinal);
        Assert.EndsWith("model-00002-of-00002.safetensors", gateUp.Scales.Path, StringComparison.Ordinal);
        Assert.Equal(new long[] { 4, 128, 64 }, gateUp.Shape);
    }

    [Fact]
    public void Blocks_without_scales_are_ScalesMissing()
    {
        var error = Assert.Single(Mxfp4Pairing.Pair([Tensor("x_blocks", SafetensorsDType.U8, [2, 1, 16])])).Error!;

        Assert.Equal("ScalesMissing", error.ErrorId);
        Assert.Equal("x_blocks", error.BlocksName);
        Assert.Equal("x_scales", error.ScalesName);
        Assert.Equal("/m/x.safetensors", error.Path);
    }

    [Fact]
    public void Scales_without_blocks_are_BlocksMissing()
    {
        var error = Assert.Single(Mxfp4Pairing.Pair([Tensor("x.scales", SafetensorsDType.U8, [2, 1])])).Error!;

        Assert.Equal("BlocksMissing", error.ErrorId);
        Assert.Equal("x.blocks", error.BlocksName);
    }

    [Theory]
    [InlineData(SafetensorsDType.I8, SafetensorsDType.U8)]
    [InlineData(SafetensorsDType.U8, SafetensorsDType.F8_E8M0)]
    public void Non_U8_halves_are_Mxfp4DTypeMismatch(SafetensorsDType blocks, SafetensorsDType scales)
    {
        var error = Mxfp4Pairing.Pair([Tensor("x_blocks", blocks, [2, 1, 16]), Tensor("x_scales", scales, [2, 1])])[0].Error!;

        Assert.Equal("Mxfp4DTypeMismatch", error.ErrorId);
    }

    [Theory]
    [InlineData(new long[] { 2, 1, 8 }, new long[] { 2, 1 })]
    [InlineData(new long[] { 2, 1, 16 }, new long[] { 2, 2 })]
    [InlineData(new long[] { 2, 1, 16 }, new long[] { 2, 1, 1 })]
    [InlineData(new long[] { 16 }, new long[] { })]
    [InlineData(new long[] { 3, 2, 16 }, new long[] { 2, 2 })]
    public void Inconsistent_shapes_are_Mxfp4ShapeMismatch(long[] blocks, long[] scales)
    {
        var error = Mxfp4Pairing.Pair(
            [Tensor("x_blocks", SafetensorsDType.U8, blocks), Tensor("x_scales", SafetensorsDType.U8, scales)])[0].Error!;

        Assert.Equal("Mxfp4ShapeMismatch", error.ErrorId);
        Assert.Equal("x_blocks", error.Target);
    }

    [Fact]
    public void Tensors_with_neither_suffix_are_not_MXFP4()
    {
        Assert.Empty(Mxfp4Pairing.Pair([Tensor("w.weight", SafetensorsDType.BF16, [2, 2]), Tensor("blocks", SafetensorsDType.U8, [16])]));
        Assert.True(Mxfp4Pairing.IsMxfp4Part("a.scales"));
        Assert.True(Mxfp4Pairing.IsMxfp4Part("a_blocks"));
        Assert.False(Mxfp4Pairing.IsMxfp4Part("a.weight"));
    }

    /// <summary>A header record as the reader would produce it; offsets are irrelevant to pairing.</summary>
    private static TensorInfo Tensor(string name, SafetensorsDType dtype, long[] shape)
    {
        long count = shape.Aggregate(1L, (a, b) => a * b);
        long bytes = dtype is SafetensorsDType.U8 or SafetensorsDType.I8 or SafetensorsDType.F8_E8M0 ? count : count * 2;
        return new TensorInfo(name, dtype, shape, count, bytes, 0, "/m/x.safetensors");
    }
}
