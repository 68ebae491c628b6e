using System.Buffers.Binary;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.Numerics;

/// <summary>
/// Exhaustive checks of every 16- and 8-bit input, and a large sample of float32 inputs, against references written
/// here: widening by hand, the 8-bit formats decoded from their definition, BF16 rounding decided in double
/// arithmetic, and the BCL's <see cref="Half"/> casts for F16.
/// </summary>
public class FloatConversionTests
{
    [Fact]
    public void Supported_source_types()
    {
        var supported = Enum.GetValues<SafetensorsDType>().Where(t => DTypeTable.ToFloatType(t) is not null).Order().ToArray();
        Assert.Equal(
            new[] { SafetensorsDType.F8_E5M2, SafetensorsDType.F8_E4M3, SafetensorsDType.F16, SafetensorsDType.BF16,
                SafetensorsDType.F32 }.Order(),
            supported);
    }

    [Fact]
    public void Every_BF16_to_F32_is_the_widened_bits()
    {
        var source = AllSixteenBitPatterns();
        var actual = Convert(source, SafetensorsDType.BF16, OutputFormat.F32);
        for (int b = 0; b < 65536; b++)
        {
            Assert.Equal((uint)b << 16, BinaryPrimitives.ReadUInt32LittleEndian(actual.AsSpan(b * 4)));
        }
    }

    [Fact]
    public void Every_BF16_to_F16_rounds_to_nearest_even()
    {
        var source = AllSixteenBitPatterns();
        var actual = Convert(source, SafetensorsDType.BF16, OutputFormat.F16);
        for (int b = 0; b < 65536; b++)
        {
            float value = BitConverter.UInt32BitsToSingle((uint)b << 16);
            AssertHalf(ExpectedHalf(value), actual, b, $"BF16 0x{b:X4}");
        }
    }

    [Fact]
    public void Every_F16_to_F32_is_exact()
    {
        var source = AllSixteenBitPatterns();
        var actual = Convert(source, SafetensorsDType.F16, OutputFormat.F32);
        for (int h = 0; h < 65536; h++)
        {
            uint bits = BinaryPrimitives.ReadUInt32LittleEndian(actual.AsSpan(h * 4));
            uint expected = ExpectedSingleFromHalf((ushort)h);
            Assert.True(expected == bits, $"F16 0x{h:X4}: got 0x{bits:X8}, expected 0x{expected:X8}");
        }
    }

    [Fact]
    public void Every_F16_to_BF16_rounds_to_nearest_even()
    {
        var source = AllSixteenBitPatterns();
        var actual = Convert(source, SafetensorsDType.F16, OutputFormat.BF16);
        for (int h = 0; h < 65536; h++)
        {
            ushort expected = ExpectedBFloat16(ExpectedSingleFromHalf((ushort)h));
            ushort bits = BinaryPrimitives.ReadUInt16LittleEndian(actual.AsSpan(h * 2));
            Assert.True(expected == bits, $"F16 0x{h:X4}: got 0x{bits:X4}, expected 0x{expected:X4}");
        }
    }

    [Theory]
    [InlineData(SafetensorsDType.BF16, OutputFormat.BF16)]
    [InlineData(SafetensorsDType.F16, OutputFormat.F16)]
    public void Same_sixteen_bit_type_is_copied(SafetensorsDType type, OutputFormat format)
    {
        var source = AllSixteenBitPatterns();
        Assert.Equal(source, Convert(source, type, format));
    }

    [Fact]
    public void F32_samples_to_every_format()
    {
        var samples = SingleSamples();
        var source = new byte[samples.Length * 4];
        for (int i = 0; i < samples.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(source.AsSpan(i * 4), samples[i]);
        }

        Assert.Equal(source, Convert(source, SafetensorsDType.F32, OutputFormat.F32));
        var bfloat16 = Convert(source, SafetensorsDType.F32, OutputFormat.BF16);
        var half = Convert(source, SafetensorsDType.F32, OutputFormat.F16);
        for (int i = 0; i < samples.Length; i++)
        {
            ushort expected = ExpectedBFloat16(samples[i]);
            ushort bits = BinaryPrimitives.ReadUInt16LittleEndian(bfloat16.AsSpan(i * 2));
            Assert.True(expected == bits, $"F32 0x{samples[i]:X8} to BF16: got 0x{bits:X4}, expected 0x{expected:X4}");
            AssertHalf(ExpectedHalf(BitConverter.UInt32BitsToSingle(samples[i])), half, i, $"F32 0x{samples[i]:X8}");
        }
    }

    [Theory]
    [InlineData(0x3F80_0000u, 0x3F80)] // 1
    [InlineData(0x3F80_8000u, 0x3F80)] // 1 + half an ulp: a tie, to even
    [InlineData(0x3F81_8000u, 0x3F82)] // 1 + 1.5 ulp: a tie, to even (up)
    [InlineData(0x3F80_8001u, 0x3F81)] // just above the tie
    [InlineData(0x7F7F_FFFFu, 0x7F80)] // float max rounds up to +Inf
    [InlineData(0xFF7F_0000u, 0xFF7F)]
    [InlineData(0x0000_0001u, 0x0000)] // the smallest subnormal rounds to +0
    [InlineData(0x8000_8000u, 0x8000)] // -half a BF16 subnormal ulp: a tie, to even -0
    [InlineData(0x7F80_0000u, 0x7F80)]
    [InlineData(0x7F80_0001u, 0x7FC0)] // a signalling NaN with payload only in the low half stays NaN, quiet
    [InlineData(0xFFA0_0000u, 0xFFE0)] // a negative signalling NaN keeps its sign and top payload, made quiet
    [InlineData(0x7FC0_0000u, 0x7FC0)]
    public void F32_to_BF16_hand_values(uint float32Bits, int bfloat16Bits)
    {
        var source = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(source, float32Bits);
        Assert.Equal((ushort)bfloat16Bits,
            BinaryPrimitives.ReadUInt16LittleEndian(Convert(source, SafetensorsDType.F32, OutputFormat.BF16)));
    }

    [Theory]
    [InlineData(SafetensorsDType.F8_E4M3)]
    [InlineData(SafetensorsDType.F8_E5M2)]
    public void Every_eight_bit_value_in_every_format(SafetensorsDType type)
    {
        var source = Enumerable.Range(0, 256).Select(b => (byte)b).ToArray();
        var single = Convert(source, type, OutputFormat.F32);
        var bfloat16 = Convert(source, type, OutputFormat.BF16);
        var half = Convert(source, type, OutputFormat.F16);
        for (int b = 0; b < 256; b++)
        {
            double value = type == SafetensorsDType.F8_E4M3 ? E4M3((byte)b) : E5M2((byte)b);
            uint singleBits = BinaryPrimitives.ReadUInt32LittleEndian(single.AsSpan(b * 4));
            ushort bfloat16Bits = BinaryPrimitives.ReadUInt16LittleEndian(bfloat16.AsSpan(b * 2));
            ushort halfBits = BinaryPrimitives.ReadUInt16LittleEndian(half.AsSpan(b * 2));
            bool negative = b >= 0x80;
            if (double.IsNaN(value))
            {
                Assert.Equal(negative ? 0xFFC0_0000u : 0x7FC0_0000u, singleBits);
                Assert.Equal(negative ? (ushort)0xFFC0 : (ushort)0x7FC0, bfloat16Bits);
                Assert.Equal(negative ? (ushort)0xFE00 : (ushort)0x7E00, halfBits);
                continue;
            }

            // Every value is exact in all three formats: decoding the outputs must give the value back.
            Assert.Equal(value, (double)BitConverter.UInt32BitsToSingle(singleBits));
            Assert.Equal(value, (double)BitConverter.UInt32BitsToSingle((uint)bfloat16Bits << 16));
            Assert.Equal(value, (double)BitConverter.UInt16BitsToHalf(halfBits));
            Assert.Equal(negative, (singleBits >> 31) == 1);
            Assert.Equal(negative, (bfloat16Bits >> 15) == 1);
            Assert.Equal(negative, (halfBits >> 15) == 1);
        }
    }

    [Theory]
    [InlineData(SafetensorsDType.F8_E4M3, 0x7E, 448.0)]
    [InlineData(SafetensorsDType.F8_E4M3, 0x01, 0.001953125)] // 2^-9
    [InlineData(SafetensorsDType.F8_E4M3, 0x08, 0.015625)] // 2^-6
    [InlineData(SafetensorsDType.F8_E4M3, 0x38, 1.0)]
    [InlineData(SafetensorsDType.F8_E4M3, 0xC4, -3.0)]
    [InlineData(SafetensorsDType.F8_E5M2, 0x7B, 57344.0)]
    [InlineData(SafetensorsDType.F8_E5M2, 0x7C, double.PositiveInfinity)]
    [InlineData(SafetensorsDType.F8_E5M2, 0xFC, double.NegativeInfinity)]
    [InlineData(SafetensorsDType.F8_E5M2, 0x01, 1.52587890625E-05)] // 2^-16
    [InlineData(SafetensorsDType.F8_E5M2, 0x3C, 1.0)]
    public void Eight_bit_hand_values(SafetensorsDType type, byte value, double expected)
        => Assert.Equal(expected, (double)BitConverter.ToSingle(Convert([value], type, OutputFormat.F32)));

    [Fact]
    public void Unaligned_spans_convert_within_bounds()
    {
        var random = new Random(5);
        foreach (var type in new[] { SafetensorsDType.BF16, SafetensorsDType.F16, SafetensorsDType.F32, SafetensorsDType.F8_E4M3 })
        {
            foreach (var format in Enum.GetValues<OutputFormat>())
            {
                int size = DTypeTable.BitSize(type) / 8;
                var payload = new byte[1037 * size];
                random.NextBytes(payload);
                var expected = Convert(payload, type, format);
                var source = new byte[payload.Length + 3];
                payload.CopyTo(source, 3);
                var buffer = new byte[expected.Length + 2];
                FloatConversion.Convert(source.AsSpan(3), DTypeTable.ToFloatType(type)!.Value, buffer.AsSpan(1, expected.Length), format);
                Assert.Equal(0, buffer[0]);
                Assert.Equal(0, buffer[^1]);
                Assert.Equal(expected, buffer[1..^1]);
            }
        }
    }

    [Fact]
    public void Bad_arguments_throw()
    {
        Assert.Throws<ArgumentException>(() => FloatConversion.Convert(new byte[3], FloatType.BF16, new byte[6], OutputFormat.F32));
        Assert.Throws<ArgumentException>(() => FloatConversion.Convert(new byte[4], FloatType.BF16, new byte[6], OutputFormat.F32));
        Assert.Throws<ArgumentException>(() => FloatConversion.Convert(new byte[4], FloatType.F32, new byte[4], OutputFormat.F16));
        Assert.Throws<ArgumentOutOfRangeException>(
            () => FloatConversion.Convert(new byte[4], (FloatType)99, new byte[16], OutputFormat.F32));
        Assert.Null(DTypeTable.ToFloatType(SafetensorsDType.U8));
        Assert.Null(DTypeTable.ToFloatType(SafetensorsDType.F64));
    }

    private static byte[] Convert(byte[] source, SafetensorsDType type, OutputFormat format)
    {
        var destination = new byte[source.Length / (DTypeTable.BitSize(type) / 8) * format.BytesPerElement()];
        FloatConversion.Convert(source, DTypeTable.ToFloatType(type)!.Value, destination, format);
        return destination;
    }

    private static byte[] AllSixteenBitPatterns()
    {
        var bytes = new byte[65536 * 2];
        for (int i = 0; i < 65536; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), (ushort)i);
        }

        return bytes;
    }

    /// <summary>Edge values, every exponent with a few mantissas, ties and near-ties, and random bit patterns.</summary>
    private static uint[] SingleSamples()
    {
        var samples = new List<uint>
        {
            0x0000_0000, 0x8000_0000, 0x0000_0001, 0x8000_0001, 0x007F_FFFF, 0x0080_0000, 0x7F7F_FFFF, 0xFF7F_FFFF,
            0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0xFFC0_0000, 0x7F80_0001, 0xFF80_0001, 0x7FBF_FFFF, 0x7FFF_FFFF,
            0x477F_E000, 0x477F_EFFF, 0x477F_F000, 0x477F_F001, 0x4780_0000, // around the F16 maximum 65504
            0x3380_0000, 0x3300_0000, 0x3300_0001, 0x33C0_0000, 0x3880_0000, 0x387F_FFFF, // F16 subnormal edges
        };
        for (uint exponent = 0; exponent < 256; exponent++)
        {
            foreach (
                uint mantissa in new uint[] { 0, 1, 0x7FFF, 0x8000, 0x8001, 0x1_8000, 0xFFF, 0x1000, 0x1001, 0x3000, 0x7F_FFFF, 0x40_0000 })
            {
                samples.Add((exponent << 23) | mantissa);
                samples.Add(0x8000_0000 | (exponent << 23) | mantissa);
            }
        }

        var random = new Random(1123);
        for (int i = 0; i < 400_000; i++)
        {
            samples.Add((uint)random.NextInt64(0, 1L << 32));
        }

        return [.. samples];
    }

    /// <summary>
    /// BF16 rounding decided by comparing distances in double (exact for float32 operands): the two BF16 neighbours of
    /// the value are its truncation and the next BF16 away from zero; a tie goes to the even one.
    /// </summary>
    private static ushort ExpectedBFloat16(uint bits)
    {
        float value = BitConverter.UInt32BitsToSingle(bits);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x40);
        }

        ushort truncated = (ushort)(bits >> 16);
        if (float.IsInfinity(value) || (bits & 0xFFFF) == 0)
        {
            return truncated;
        }

        ushort away = (ushort)(truncated + 1);
        double low = Math.Abs((double)BitConverter.UInt32BitsToSingle((uint)truncated << 16));
        double high = (away & 0x7FFF) == 0x7F80 ? Math.ScaleB(1.0, 128)
            : Math.Abs((double)BitConverter.UInt32BitsToSingle((uint)away << 16));
        double magnitude = Math.Abs((double)value);
        double toLow = magnitude - low;
        double toHigh = high - magnitude;
        if (toLow < toHigh)
        {
            return truncated;
        }

        if (toHigh < toLow)
        {
            return away;
        }

        return (truncated & 1) == 0 ? truncated : away;
    }

    /// <summary>F16 of a float32 by the BCL cast, which is IEEE round-to-nearest-even.</summary>
    private static ushort ExpectedHalf(float value) => BitConverter.HalfToUInt16Bits((Half)value);

    /// <summary>The float32 of an F16 by its definition; a NaN keeps sign and payload and is made quiet.</summary>
    private static uint ExpectedSingleFromHalf(ushort half)
    {
        uint sign = (uint)(half & 0x8000) << 16;
        int exponent = (half >> 10) & 0x1F;
        int mantissa = half & 0x3FF;
        if (exponent == 0x1F)
        {
            return sign | 0x7F80_0000 | (mantissa == 0 ? 0u : 0x40_0000u | ((uint)mantissa << 13));
        }

        double magnitude = exponent == 0 ? Math.ScaleB(mantissa, -24) : Math.ScaleB(1024 + mantissa, exponent - 25);
        return sign | BitConverter.SingleToUInt32Bits((float)magnitude);
    }

    private static double E4M3(byte b)
    {
        double sign = b >= 0x80 ? -1 : 1;
        int e = (b >> 3) & 15;
        int m = b & 7;
        if (e == 15 && m == 7)
        {
            return double.NaN;
        }

        return sign * (e == 0 ? m / 8.0 * Math.Pow(2, -6) : (1 + (m / 8.0)) * Math.Pow(2, e - 7));
    }

    private static double E5M2(byte b)
    {
        double sign = b >= 0x80 ? -1 : 1;
        int e = (b >> 2) & 31;
        int m = b & 3;
        if (e == 31)
        {
            return m == 0 ? sign * double.PositiveInfinity : double.NaN;
        }

        return sign * (e == 0 ? m / 4.0 * Math.Pow(2, -14) : (1 + (m / 4.0)) * Math.Pow(2, e - 15));
    }

    private static void AssertHalf(ushort expected, byte[] actual, int index, string what)
    {
        ushort bits = BinaryPrimitives.ReadUInt16LittleEndian(actual.AsSpan(index * 2));
        Assert.True(expected == bits, $"{what} to F16: got 0x{bits:X4}, expected 0x{expected:X4}");
    }
}
