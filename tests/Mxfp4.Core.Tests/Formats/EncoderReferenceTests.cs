using System.Runtime.InteropServices;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Quantization;
using Xunit;

namespace Mxfp4.Core.Tests.Formats;

/// <summary>
/// The reference encoder against hand-computed values and against the decoder reference (<see cref="Mxfp4Reference"/>),
/// an independent oracle written from the decoding half of the spec.
/// </summary>
public class EncoderReferenceTests
{
    public static TheoryData<float, int> TieTable() => new()
    {
        // q -> E2M1 code (value): ties go to the even code.
        { 0.25f, 0 }, { 0.75f, 2 }, { 1.25f, 2 }, { 1.75f, 4 }, { 2.5f, 4 }, { 3.5f, 6 }, { 5f, 6 },

        // Just off each tie, and the exact magnitudes.
        { 0.2499f, 0 }, { 0.2501f, 1 }, { 0.7499f, 1 }, { 1.2501f, 3 }, { 1.7499f, 3 }, { 2.5001f, 5 }, { 3.4999f, 5 }, { 5.0001f, 7 },
        { 0f, 0 }, { 0.5f, 1 }, { 1f, 2 }, { 1.5f, 3 }, { 2f, 4 }, { 3f, 5 }, { 4f, 6 }, { 6f, 7 },
    };

    [Theory]
    [MemberData(nameof(TieTable))]
    public void Ties_go_to_the_even_code_at_scale_one(float q, int code)
    {
        // amax 6 puts the block at e = 0 under both rules, so x = q.
        foreach (var rule in Enum.GetValues<ScaleRule>())
        {
            var (scale, nibbles) = EncodeWithAnchor(q, 6f, rule);
            Assert.Equal(127, scale);
            Assert.Equal(code, nibbles[0]);
            var (_, negative) = EncodeWithAnchor(-q, 6f, rule);
            Assert.Equal(code | 8, negative[0]);
        }
    }

    [Fact]
    public void Tie_table_holds_at_every_scale_for_the_smallest_to_the_largest_exponent()
    {
        float[] ties = [0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5f];
        int[] codes = [0, 2, 2, 4, 4, 6, 6];
        for (int e = -127; e <= 125; e++)
        {
            float anchor = (float)Math.ScaleB(6.0, e);
            for (int t = 0; t < ties.Length; t++)
            {
                float x = (float)Math.ScaleB(ties[t], e);
                Assert.Equal(Math.ScaleB(ties[t], e), (double)x);
                var (scale, nibbles) = EncodeWithAnchor(x, anchor, ScaleRule.Up);
                Assert.Equal(e + 127, scale);
                Assert.Equal(codes[t], nibbles[0]);
            }
        }
    }

    [Theory]
    [InlineData(6f, ScaleRule.Up, 127)]
    [InlineData(6.000001f, ScaleRule.Up, 128)]
    [InlineData(4f, ScaleRule.Up, 127)]
    [InlineData(3f, ScaleRule.Up, 126)]
    [InlineData(3.0000002f, ScaleRule.Up, 127)]
    [InlineData(1f, ScaleRule.Up, 125)]
    [InlineData(6f, ScaleRule.Ocp, 127)]
    [InlineData(7.99f, ScaleRule.Ocp, 127)]
    [InlineData(8f, ScaleRule.Ocp, 128)]
    [InlineData(4f, ScaleRule.Ocp, 127)]
    [InlineData(3.99f, ScaleRule.Ocp, 126)]
    [InlineData(1f, ScaleRule.Ocp, 125)]
    [InlineData(0f, ScaleRule.Up, 0)]
    [InlineData(0f, ScaleRule.Ocp, 0)]
    [InlineData(1e-45f, ScaleRule.Up, 0)]
    [InlineData(1e-45f, ScaleRule.Ocp, 0)]
    [InlineData(float.MaxValue, ScaleRule.Up, 253)]
    [InlineData(float.MaxValue, ScaleRule.Ocp, 252)]
    public void Scale_bytes_follow_the_rule(float amax, ScaleRule rule, int expected)
    {
        // Hand-computed: Up is the smallest e with amax <= 6 * 2^e, Ocp is floor(log2 amax) - 2; byte e + 127, >= 0.
        var (scale, _) = EncodeWithAnchor(0f, amax, rule);
        Assert.Equal(expected, scale);
    }

    [Fact]
    public void Ocp_saturates_what_Up_keeps()
    {
        // amax 7: Up picks e = 1 (7 <= 12), 7/2 = 3.5 -> 4 (tie to even), value 8; Ocp picks e = 0 and 7 saturates to 6.
        var (upScale, up) = EncodeWithAnchor(7f, 7f, ScaleRule.Up);
        var (ocpScale, ocp) = EncodeWithAnchor(7f, 7f, ScaleRule.Ocp);
        Assert.Equal((128, 6), (upScale, up[0]));
        Assert.Equal((127, 7), (ocpScale, ocp[0]));
    }

    [Fact]
    public void Negative_zero_and_negative_values_rounding_to_zero_keep_the_sign()
    {
        var (_, nibbles) = EncodeWithAnchor(-0f, 6f, ScaleRule.Up);
        Assert.Equal(8, nibbles[0]);
        (_, nibbles) = EncodeWithAnchor(-0.25f, 6f, ScaleRule.Up);
        Assert.Equal(8, nibbles[0]);
        (_, nibbles) = EncodeWithAnchor(0.1f, 6f, ScaleRule.Up);
        Assert.Equal(0, nibbles[0]);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Non_finite_blocks_are_scale_255_and_zero_bytes(float bad)
    {
        var values = Enumerable.Repeat(1.5f, 32).ToArray();
        values[17] = bad;
        var blocks = new byte[16];
        var scales = new byte[1];
        Assert.Equal(1, Mxfp4EncoderReference.Encode(values, blocks, scales, ScaleRule.Up));
        Assert.Equal(255, scales[0]);
        Assert.All(blocks, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Packing_puts_even_elements_in_low_nibbles()
    {
        // Elements 0..31 = nibble values by code: 0, 0.5, 1, ... at e = 0 (anchor 6 is element 7 and 15).
        float[] magnitudes = [0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f, -0f, -0.5f, -1f, -1.5f, -2f, -3f, -4f, -6f];
        var values = magnitudes.Concat(magnitudes).ToArray();
        var blocks = new byte[16];
        var scales = new byte[1];
        Mxfp4EncoderReference.Encode(values, blocks, scales, ScaleRule.Up);
        Assert.Equal(127, scales[0]);
        Assert.Equal(new byte[] { 0x10, 0x32, 0x54, 0x76, 0x98, 0xBA, 0xDC, 0xFE, 0x10, 0x32, 0x54, 0x76, 0x98, 0xBA, 0xDC, 0xFE }, blocks);
    }

    [Theory]
    [InlineData(ScaleRule.Up)]
    [InlineData(ScaleRule.Ocp)]
    public void Every_representable_block_decodes_back_to_itself(ScaleRule rule)
    {
        // Random nibbles with every scale 0..254: decode with the decoder reference, encode, decode again.
        var random = new Random(16);
        const int perScale = 64;
        var blocks = new byte[255 * perScale * 16];
        var scales = new byte[255 * perScale];
        random.NextBytes(blocks);
        for (int i = 0; i < scales.Length; i++)
        {
            scales[i] = (byte)(i / perScale);

            // Some blocks with small largest magnitudes, where the scale must change.
            if (i % 3 == 0)
            {
                for (int k = 0; k < 16; k++)
                {
                    blocks[(i * 16) + k] &= (byte)(i % 2 == 0 ? 0x99 : 0xBB);
                }
            }
        }

        var values = Decode(blocks, scales);
        var encodedBlocks = new byte[blocks.Length];
        var encodedScales = new byte[scales.Length];
        Mxfp4EncoderReference.Encode(values, encodedBlocks, encodedScales, rule);
        var again = Decode(encodedBlocks, encodedScales);
        int compared = 0;
        for (int g = 0; g < scales.Length; g++)
        {
            var block = values.AsSpan(g * 32, 32);
            if (!AllFinite(block))
            {
                Assert.Equal(255, encodedScales[g]);
                continue;
            }

            compared++;
            Assert.Equal(Bits(block), Bits(again.AsSpan(g * 32, 32)));
        }

        Assert.True(compared > 250 * perScale);
    }

    [Theory]
    [InlineData(ScaleRule.Up)]
    [InlineData(ScaleRule.Ocp)]
    public void Blocks_whose_largest_magnitude_is_4_or_6_encode_back_byte_for_byte(ScaleRule rule)
    {
        var random = new Random(61);
        int tested = 0;
        for (int s = 0; s <= 252; s++)
        {
            for (int n = 0; n < 40; n++)
            {
                var block = new byte[16];
                random.NextBytes(block);

                // Clear the top magnitude bit of every nibble but one, which gets code 6 or 7 (4 or 6).
                for (int k = 0; k < 16; k++)
                {
                    block[k] &= 0xBB;
                }

                int position = random.Next(32);
                int top = (random.Next(2) == 0 ? 6 : 7) | (random.Next(2) * 8);
                block[position / 2] = position % 2 == 0 ? (byte)((block[position / 2] & 0xF0) | top)
                    : (byte)((block[position / 2] & 0x0F) | (top << 4));
                byte[] scale = [(byte)s];
                var values = Decode(block, scale);
                var encoded = new byte[16];
                var encodedScale = new byte[1];
                Mxfp4EncoderReference.Encode(values, encoded, encodedScale, rule);
                Assert.Equal(s, encodedScale[0]);
                Assert.Equal(block, encoded);
                tested++;
            }
        }

        Assert.Equal(253 * 40, tested);
    }

    [Fact]
    public void Blocks_with_a_smaller_largest_magnitude_keep_their_values_with_a_smaller_scale()
    {
        // All nibbles 1 (0.5) at scale 130: the values 0.5 * 8 = 4 are re-encoded as code 6 at scale 127 + 1.
        var block = Enumerable.Repeat((byte)0x11, 16).ToArray();
        var values = Decode(block, [130]);
        var encoded = new byte[16];
        var scale = new byte[1];
        Mxfp4EncoderReference.Encode(values, encoded, scale, ScaleRule.Up);
        Assert.Equal(127, scale[0]);
        Assert.All(encoded, b => Assert.Equal(0x66, b));
    }

    internal static (int Scale, int[] Nibbles) EncodeWithAnchor(float x, float anchor, ScaleRule rule)
    {
        var values = new float[32];
        values[0] = x;
        values[9] = anchor;
        var blocks = new byte[16];
        var scales = new byte[1];
        Mxfp4EncoderReference.Encode(values, blocks, scales, rule);
        return (scales[0], Enumerable.Range(0, 32).Select(i => (i % 2 == 0 ? blocks[i / 2] : blocks[i / 2] >> 4) & 0xF).ToArray());
    }

    internal static float[] Decode(byte[] blocks, byte[] scales)
    {
        var values = new float[scales.Length * 32];
        Mxfp4Reference.Dequantize(blocks, scales, MemoryMarshal.AsBytes(values.AsSpan()), OutputFormat.F32);
        return values;
    }

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }

    private static string Bits(ReadOnlySpan<float> values)
        => string.Join(",", values.ToArray().Select(v => BitConverter.SingleToUInt32Bits(v).ToString("X8")));
}
