using System.Buffers.Binary;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Numerics;
using Xunit;

namespace Mxfp4.Core.Tests.Formats;

/// <summary>The reference itself against values computed by hand from the spec.</summary>
public class Mxfp4ReferenceTests
{
    [Theory]
    [InlineData(0x71, 127, 0x3F00_0000u, 0x40C0_0000u)] // 0.5, 6
    [InlineData(0x8F, 127, 0xC0C0_0000u, 0x8000_0000u)] // -6, -0
    [InlineData(0x01, 0, 0x0020_0000u, 0x0000_0000u)] // 0.5 * 2^-127 = 2^-128, a subnormal; +0
    [InlineData(0x53, 0, 0x0060_0000u, 0x00C0_0000u)] // 1.5 * 2^-127, subnormal; 3 * 2^-127 = 1.5 * 2^-126, normal
    [InlineData(0x07, 254, 0x7F80_0000u, 0x0000_0000u)] // 6 * 2^127 overflows to +Inf
    [InlineData(0x3F, 254, 0xFF80_0000u, 0x7F40_0000u)] // -6 * 2^127 -> -Inf; 1.5 * 2^127
    [InlineData(0x24, 130, 0x4180_0000u, 0x4100_0000u)] // 2 * 8 = 16, 1 * 8 = 8
    [InlineData(0x00, 255, 0x7FC0_0000u, 0x7FC0_0000u)] // NaN block
    [InlineData(0xFF, 255, 0x7FC0_0000u, 0x7FC0_0000u)]
    public void F32_pairs(byte packed, byte scale, uint even, uint odd)
    {
        var actual = Dequantize(packed, scale, OutputFormat.F32);
        Assert.Equal(even, BinaryPrimitives.ReadUInt32LittleEndian(actual));
        Assert.Equal(odd, BinaryPrimitives.ReadUInt32LittleEndian(actual.AsSpan(4)));
    }

    [Theory]
    [InlineData(0x71, 127, 0x3F00, 0x40C0)]
    [InlineData(0x8F, 127, 0xC0C0, 0x8000)]
    [InlineData(0x03, 127, 0x3FC0, 0x0000)] // 1.5
    [InlineData(0x01, 0, 0x0020, 0x0000)] // 2^-128: BF16 shares the float32 exponent, so the subnormal survives
    [InlineData(0x07, 254, 0x7F80, 0x0000)]
    [InlineData(0x00, 255, 0x7FC0, 0x7FC0)]
    public void BF16_pairs(byte packed, byte scale, int even, int odd)
    {
        var actual = Dequantize(packed, scale, OutputFormat.BF16);
        Assert.Equal((ushort)even, BinaryPrimitives.ReadUInt16LittleEndian(actual));
        Assert.Equal((ushort)odd, BinaryPrimitives.ReadUInt16LittleEndian(actual.AsSpan(2)));
    }

    [Theory]
    [InlineData(0x03, 127, 0x3E00, 0x0000)] // 1.5
    [InlineData(0x01, 0, 0x0000, 0x0000)] // 2^-128 underflows to +0
    [InlineData(0x09, 0, 0x8000, 0x0000)] // -2^-128 underflows to -0
    [InlineData(0x07, 141, 0x7C00, 0x0000)] // 6 * 2^14 = 98304 > 65504: +Inf
    [InlineData(0x0F, 141, 0xFC00, 0x0000)]
    [InlineData(0x06, 141, 0x7C00, 0x0000)] // 4 * 2^14 = 2^16: +Inf
    [InlineData(0x07, 140, 0x7A00, 0x0000)] // 6 * 2^13 = 49152 = 1.5 * 2^15
    [InlineData(0x01, 104, 0x0001, 0x0000)] // 0.5 * 2^-23 = 2^-24, the smallest subnormal
    [InlineData(0x01, 103, 0x0000, 0x0000)] // 2^-25: a tie between 0 and 2^-24, to even 0
    [InlineData(0x03, 103, 0x0002, 0x0000)] // 1.5 * 2^-24: a tie between 1 and 2 ulp, to even 2
    [InlineData(0x05, 102, 0x0002, 0x0000)] // 3 * 2^-25 = 1.5 ulp: a tie, to even 2 ulp
    [InlineData(0x73, 102, 0x0001, 0x0003)] // 1.5 * 2^-25 = 0.75 ulp -> 1; 6 * 2^-25 = 3 ulp exactly
    [InlineData(0x02, 113, 0x0400, 0x0000)] // 2^-14, the smallest normal
    [InlineData(0x00, 255, 0x7E00, 0x7E00)]
    public void F16_pairs(byte packed, byte scale, int even, int odd)
    {
        var actual = Dequantize(packed, scale, OutputFormat.F16);
        Assert.Equal((ushort)even, BinaryPrimitives.ReadUInt16LittleEndian(actual));
        Assert.Equal((ushort)odd, BinaryPrimitives.ReadUInt16LittleEndian(actual.AsSpan(2)));
    }

    [Fact]
    public void Byte_k_holds_elements_2k_and_2k_plus_1()
    {
        var block = new byte[16];
        block[5] = 0x4A; // element 10: nibble A (-1); element 11: nibble 4 (2)
        Assert.Equal(-1.0f, Mxfp4Reference.Element(block, 10, 127));
        Assert.Equal(2.0f, Mxfp4Reference.Element(block, 11, 127));
        Assert.Equal(0.0f, Mxfp4Reference.Element(block, 12, 127));
    }

    /// <summary>Elements 0 and 1 of a one-group block whose first byte is <paramref name="packed"/>.</summary>
    private static byte[] Dequantize(byte packed, byte scale, OutputFormat format)
    {
        var blocks = new byte[Mxfp4Format.BlockBytes];
        blocks[0] = packed;
        var destination = new byte[Mxfp4Format.BlockElements * format.BytesPerElement()];
        Mxfp4Reference.Dequantize(blocks, [scale], destination, format);
        return destination;
    }
}
