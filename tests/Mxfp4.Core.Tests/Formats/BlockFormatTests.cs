using Mxfp4.Core.Formats;
using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Quantization;
using Xunit;

namespace Mxfp4.Core.Tests.Formats;

/// <summary>The MXFP4 row of the block-format table against OCP MX v1.0 and the gpt-oss checkpoints.</summary>
public class BlockFormatTests
{
    private static readonly BlockFormat Format = BlockFormat.Mxfp4;

    [Fact]
    public void Mxfp4_is_32_E2M1_elements_in_16_bytes_with_an_E8M0_scale()
    {
        Assert.Equal("MXFP4", Format.Name);
        Assert.Equal("E2M1", Format.ElementType);
        Assert.Equal(32, Format.BlockElements);
        Assert.Equal(16, Format.BlockBytes);
        Assert.Equal(BlockScaleType.E8M0, Format.ScaleType);
        Assert.Same(Format, Assert.Single(BlockFormat.All));
    }

    [Theory]
    [InlineData(Mxfp4NamingStyle.GptOss, "block.0.mlp.mlp1_weight.blocks", "block.0.mlp.mlp1_weight.scales")]
    [InlineData(Mxfp4NamingStyle.HuggingFace, "model.layers.0.mlp.experts.down_proj_blocks", "model.layers.0.mlp.experts.down_proj_scales")]
    public void Tensor_names_follow_the_naming_style(Mxfp4NamingStyle style, string blocks, string scales)
    {
        string name = blocks[..^"_blocks".Length];
        Assert.Equal((blocks, scales), Format.TensorNames(name, style));
        Assert.True(Format.IsPart(blocks));
        Assert.True(Format.IsPart(scales));
        Assert.False(Format.IsPart(name));
    }

    [Fact]
    public void An_undefined_naming_style_throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => Format.TensorNames("x", (Mxfp4NamingStyle)99));

    [Fact]
    public void Decode_is_the_reference_dequantization()
    {
        var random = new Random(14);
        var scales = new byte[65];
        var blocks = new byte[scales.Length * 16];
        random.NextBytes(blocks);
        random.NextBytes(scales);
        var expected = new byte[scales.Length * 32 * 2];
        var actual = new byte[expected.Length];
        Mxfp4Reference.Dequantize(blocks, scales, expected, OutputFormat.BF16);
        Format.Decode(blocks, scales, actual, OutputFormat.BF16);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Encode_then_decode_returns_values_the_format_holds_exactly()
    {
        // 6 * 2^3 is the block maximum, so both rules pick scale 2^3 and every value k/2 * 8 is an E2M1 value times 8.
        float[] magnitudes = [0, 0.5f, 1, 1.5f, 2, 3, 4, 6];
        var values = new float[32];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = magnitudes[i % 8] * 8 * (i % 3 == 0 ? -1 : 1);
        }

        var blocks = new byte[16];
        var scales = new byte[1];
        Assert.Equal(0, Format.Encode(values, blocks, scales, ScaleRule.Up));
        Assert.Equal(127 + 3, scales[0]);
        for (int i = 0; i < values.Length; i++)
        {
            Assert.Equal(values[i], Mxfp4Reference.Element(blocks, i, scales[0]));
        }
    }
}
