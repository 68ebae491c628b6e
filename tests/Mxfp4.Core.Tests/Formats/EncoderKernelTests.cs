using Mxfp4.Core.Formats;
using Mxfp4.Core.Quantization;
using Xunit;

namespace Mxfp4.Core.Tests.Formats;

/// <summary>Every SIMD encoder against the scalar reference, exhaustively on 16-bit inputs and on float32 edge cases.</summary>
public class EncoderKernelTests
{
    /// <summary>
    /// Values that set a block's amax against the pattern under test: none, ones the pattern exceeds or not, the
    /// subnormal and near-overflow ends, and the exact tie boundaries of the scale rules.
    /// </summary>
    private static readonly float[] Anchors =
    [
        0f, 1f, -6f, 6.000001f, 7.5f, 3.5f * 1.1920929e-7f, 1e-40f, 1.1754944e-38f * 1.5f, 65504f, -3e10f, 1e30f, 3.4e38f,
    ];

    public static TheoryData<KernelPath, ScaleRule> PathsAndRules()
    {
        var data = new TheoryData<KernelPath, ScaleRule>();
        var paths = new[] { KernelPath.Vector128, KernelPath.Vector256, KernelPath.Vector512 }
            .Where(p => p != KernelPath.Vector512 || Mxfp4Encoder.EncodesBFloat16InPlace);
        foreach (var path in paths)
        {
            foreach (var rule in Enum.GetValues<ScaleRule>())
            {
                data.Add(path, rule);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PathsAndRules))]
    public void Every_F16_pattern_in_every_position_matches_the_reference(KernelPath path, ScaleRule rule)
        => AssertSame(SixteenBitBlocks(p => (float)BitConverter.UInt16BitsToHalf((ushort)p)), path, rule);

    [Theory]
    [MemberData(nameof(PathsAndRules))]
    public void Every_BF16_pattern_in_every_position_matches_the_reference(KernelPath path, ScaleRule rule)
        => AssertSame(SixteenBitBlocks(p => BitConverter.UInt32BitsToSingle((uint)p << 16)), path, rule);

    [Theory]
    [MemberData(nameof(PathsAndRules))]
    public void Float32_edge_cases_match_the_reference(KernelPath path, ScaleRule rule)
        => AssertSame(EdgeBlocks(), path, rule);

    [Theory]
    [MemberData(nameof(PathsAndRules))]
    public void Random_float32_bits_match_the_reference(KernelPath path, ScaleRule rule)
    {
        var random = new Random(32);
        var values = new float[20000 * 32];
        for (int i = 0; i < values.Length; i++)
        {
            // Random bits with a narrowed exponent spread per block, so most blocks are finite and varied.
            int block = i / 32;
            uint exponent = (uint)Math.Clamp((block % 254) + random.Next(-12, 12), 0, 254);
            values[i] = BitConverter.UInt32BitsToSingle(
                ((uint)random.Next(2) << 31) | (exponent << 23) | ((uint)random.Next() & 0x7F_FFFF));
        }

        AssertSame(values, path, rule);
    }

    /// <summary>The BF16 encoders: in place on the 16-bit patterns where AVX-512BW allows, and widening everywhere.</summary>
    public static TheoryData<bool, ScaleRule> BFloat16PathsAndRules()
    {
        var data = new TheoryData<bool, ScaleRule>();
        foreach (bool inPlace in Mxfp4Encoder.EncodesBFloat16InPlace ? new[] { true, false } : new[] { false })
        {
            foreach (var rule in Enum.GetValues<ScaleRule>())
            {
                data.Add(inPlace, rule);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BFloat16PathsAndRules))]
    public void Every_BF16_pattern_in_every_position_encoded_from_its_bits_matches_the_reference(bool inPlace, ScaleRule rule)
    {
        // The float32 construction's anchors cut to BF16 (their top 16 bits), so every value stays a BF16 pattern.
        var bits = SixteenBitBlocks(p => BitConverter.UInt32BitsToSingle((uint)p << 16))
            .Select(v => (ushort)(BitConverter.SingleToUInt32Bits(v) >> 16))
            .ToArray();
        AssertSameBFloat16(bits, inPlace, rule);
    }

    [Theory]
    [MemberData(nameof(BFloat16PathsAndRules))]
    public void BF16_edge_cases_and_random_bits_encoded_from_their_bits_match_the_reference(bool inPlace, ScaleRule rule)
    {
        var edges = EdgeBlocks().Select(v => (ushort)(BitConverter.SingleToUInt32Bits(v) >> 16));
        var random = new Random(16);
        var randomBits = Enumerable.Range(0, 40000 * 32).Select(i =>
        {
            // A narrowed exponent spread per block, so most blocks are finite and varied, tiny scales included.
            int exponent = Math.Clamp(((i / 32) % 256) + random.Next(-6, 6), 0, 255);
            return (ushort)((random.Next(2) << 15) | (exponent << 7) | random.Next(128));
        });
        AssertSameBFloat16(edges.Concat(randomBits).ToArray(), inPlace, rule);
    }

    [Theory]
    [MemberData(nameof(BFloat16PathsAndRules))]
    public void BF16_runs_of_every_length_with_a_declined_block_anywhere_match_the_reference(bool inPlace, ScaleRule rule)
    {
        // The in-place kernel takes eight blocks at a time and declines a group holding a non-finite or tiny block
        // (scale byte below 3): such a block at every position of runs of 1 to 17 blocks, the last ones left over.
        ushort[][] declined =
        [
            Enumerable.Repeat((ushort)0x7FC0, 32).ToArray(),
            Enumerable.Range(0, 32).Select(i => (ushort)(i == 5 ? 0xFF80 : 0x3F80 + i)).ToArray(),
            new ushort[32],
            Enumerable.Range(0, 32).Select(i => (ushort)((i % 2) << 15 | 0x0080 + i)).ToArray(),
        ];
        var random = new Random(9);
        for (int length = 1; length <= 17; length++)
        {
            for (int at = -1; at < length; at++)
            {
                foreach (var odd in declined)
                {
                    var bits = new List<ushort>();
                    for (int b = 0; b < length; b++)
                    {
                        int exponent = random.Next(100, 160);
                        bits.AddRange(b == at ? odd : Enumerable.Range(0, 32).Select(_ => (ushort)(
                            (random.Next(2) << 15) | (Math.Max(exponent - random.Next(12), 0) << 7) | random.Next(128))));
                    }

                    AssertSameBFloat16(bits.ToArray(), inPlace, rule);
                }
            }
        }
    }

    [Theory]
    [InlineData(ScaleRule.Up)]
    [InlineData(ScaleRule.Ocp)]
    public void The_active_path_matches_the_reference_with_any_count_of_blocks(ScaleRule rule)
    {
        var edge = EdgeBlocks();
        foreach (int blocks in new[] { 0, 1, 2, 3, 7, 33 })
        {
            AssertSame(edge.AsSpan(0, blocks * 32).ToArray(), Mxfp4Encoder.ActivePath, rule);
        }
    }

    [Fact]
    public void Lengths_that_are_not_whole_blocks_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Mxfp4Encoder.Encode(new float[31], new byte[16], new byte[1], ScaleRule.Up));
        Assert.Throws<ArgumentException>(() => Mxfp4Encoder.Encode(new float[32], new byte[15], new byte[1], ScaleRule.Up));
        Assert.Throws<ArgumentException>(() => Mxfp4Encoder.Encode(new float[64], new byte[16], new byte[1], ScaleRule.Up));
    }

    /// <summary>
    /// For each anchor and each 16-bit pattern p: a block of 31 copies of p and the anchor, the anchor at position
    /// p % 32, then the same with the anchor at (p + 16) % 32; so every pattern sits in every position of a block, with
    /// the anchor's and its own magnitude as amax. Also blocks of 32 copies of p (anchor absent).
    /// </summary>
    internal static float[] SixteenBitBlocks(Func<int, float> widen)
    {
        var values = new List<float>((Anchors.Length * 2 + 1) * 65536 * 32);
        for (int p = 0; p < 65536; p++)
        {
            float x = widen(p);
            values.AddRange(Enumerable.Repeat(x, 32));
            foreach (float anchor in Anchors)
            {
                foreach (int shift in new[] { 0, 16 })
                {
                    int position = (p + shift) % 32;
                    for (int i = 0; i < 32; i++)
                    {
                        values.Add(i == position ? anchor : x);
                    }
                }
            }
        }

        return values.ToArray();
    }

    /// <summary>Ties and their float32 neighbours at every scale exponent, subnormal amax, zeros, saturation, near 2^128, NaN and
    /// Inf.</summary>
    internal static float[] EdgeBlocks()
    {
        var values = new List<float>();
        float[] ties = [0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f];
        for (int e = -130; e <= 127; e++)
        {
            float anchor = (float)Math.ScaleB(6.0, e);
            var block = new float[32];
            for (int i = 0; i < 32; i++)
            {
                float tie = (float)Math.ScaleB(ties[i % ties.Length], e);
                block[i] = (i / ties.Length) switch
                {
                    0 => tie,
                    1 => -MathF.BitIncrement(tie),
                    _ => MathF.BitDecrement(tie),
                };
            }

            block[31] = anchor;
            values.AddRange(block);
            values.AddRange(block.Select(v => MathF.BitIncrement(v)));
            values.AddRange(block.Select(v => -MathF.BitDecrement(v)));
        }

        values.AddRange(new float[32]);
        values.AddRange(Enumerable.Repeat(-0f, 32));
        values.AddRange(Enumerable.Range(0, 32).Select(i => BitConverter.UInt32BitsToSingle((uint)i)));
        values.AddRange(Enumerable.Range(0, 32).Select(i => -BitConverter.UInt32BitsToSingle(0x7F_FFF0u + (uint)i)));
        values.AddRange(Enumerable.Range(0, 32).Select(i => BitConverter.UInt32BitsToSingle(0x7F7F_FFE0u + (uint)i)));
        values.AddRange(Enumerable.Range(0, 32).Select(i => (i - 16) * 0.49f));
        foreach (
            float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, BitConverter.UInt32BitsToSingle(0xFF80_0001) })
        {
            for (int position = 0; position < 32; position += 7)
            {
                values.AddRange(Enumerable.Range(0, 32).Select(i => i == position ? bad : i * 0.3f));
            }
        }

        return values.ToArray();
    }

    private static void AssertSameBFloat16(ushort[] bits, bool inPlace, ScaleRule rule)
    {
        var values = bits.Select(b => BitConverter.UInt32BitsToSingle((uint)b << 16)).ToArray();
        int count = values.Length / 32;
        var expectedBlocks = new byte[count * 16];
        var expectedScales = new byte[count];
        int expectedNonFinite = Mxfp4EncoderReference.Encode(values, expectedBlocks, expectedScales, rule);
        var blocks = new byte[count * 16];
        var scales = new byte[count];
        int nonFinite = Mxfp4Encoder.EncodeBFloat16(bits, blocks, scales, rule, inPlace);
        AssertBlocksEqual(values, expectedBlocks, expectedScales, blocks, scales, $"BF16 in place {inPlace}", rule);
        Assert.Equal(expectedNonFinite, nonFinite);
    }

    private static void AssertBlocksEqual(
        float[] values, byte[] expectedBlocks, byte[] expectedScales, byte[] blocks, byte[] scales, string path, ScaleRule rule)
    {
        for (int g = 0; g < scales.Length; g++)
        {
            if (expectedScales[g] != scales[g] || !expectedBlocks.AsSpan(g * 16, 16).SequenceEqual(blocks.AsSpan(g * 16, 16)))
            {
                string input = string.Join(
                    ", ", values.AsSpan(g * 32, 32).ToArray().Select(v => BitConverter.SingleToUInt32Bits(v).ToString("X8")));
                Assert.Fail(
                    $"{path} {rule} block {g} [{input}]: expected scale {expectedScales[g]} "
                        + $"{Convert.ToHexString(expectedBlocks, g * 16, 16)}, got {scales[g]} {Convert.ToHexString(blocks, g * 16, 16)}.");
            }
        }
    }

    private static void AssertSame(float[] values, KernelPath path, ScaleRule rule)
    {
        int count = values.Length / 32;
        var expectedBlocks = new byte[count * 16];
        var expectedScales = new byte[count];
        int expectedNonFinite = Mxfp4EncoderReference.Encode(values, expectedBlocks, expectedScales, rule);
        var blocks = new byte[count * 16];
        var scales = new byte[count];
        int nonFinite = Mxfp4Encoder.Encode(values, blocks, scales, rule, path);
        AssertBlocksEqual(values, expectedBlocks, expectedScales, blocks, scales, path.ToString(), rule);

        Assert.Equal(expectedNonFinite, nonFinite);
    }
}
