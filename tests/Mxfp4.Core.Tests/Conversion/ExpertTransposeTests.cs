using Mxfp4.Core.Conversion;
using Xunit;

namespace Mxfp4.Core.Tests.Conversion;

public sealed class ExpertTransposeTests
{
    [Fact]
    public void A_2x3_matrix_of_2_byte_elements_becomes_3x2()
    {
        ushort[] source = [1, 2, 3, 4, 5, 6];
        var destination = new ushort[6];

        ExpertTranspose.Transpose(AsBytes(source), AsBytes(destination), 2, 3, 2);

        Assert.Equal(new ushort[] { 1, 4, 2, 5, 3, 6 }, destination);
    }

    [Fact]
    public void A_3x2_matrix_of_4_byte_elements_becomes_2x3()
    {
        uint[] source = [0x11111111, 0x22222222, 0x33333333, 0x44444444, 0x55555555, 0x66666666];
        var destination = new uint[6];

        ExpertTranspose.Transpose(AsBytes(source), AsBytes(destination), 3, 2, 4);

        Assert.Equal(new uint[] { 0x11111111, 0x33333333, 0x55555555, 0x22222222, 0x44444444, 0x66666666 }, destination);
    }

    [Theory]
    [InlineData(3, 70, 2)]
    [InlineData(70, 3, 2)]
    [InlineData(33, 65, 4)]
    [InlineData(1, 1, 4)]
    [InlineData(64, 96, 2)]
    [InlineData(1, 100, 2)]
    public void Every_element_moves_from_r_c_to_c_r(int rows, int columns, int elementSize)
    {
        var random = new Random(rows * 1000 + columns);
        var source = new byte[rows * columns * elementSize];
        random.NextBytes(source);
        var destination = new byte[source.Length];

        ExpertTranspose.Transpose(source, destination, rows, columns, elementSize);

        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                Assert.Equal(
                    source.AsSpan(((r * columns) + c) * elementSize, elementSize).ToArray(),
                    destination.AsSpan(((c * rows) + r) * elementSize, elementSize).ToArray());
            }
        }
    }

    [Fact]
    public void Wrong_lengths_and_element_sizes_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ExpertTranspose.Transpose(new byte[10], new byte[12], 2, 3, 2));
        Assert.Throws<ArgumentException>(() => ExpertTranspose.Transpose(new byte[12], new byte[12], 3, 3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExpertTranspose.Transpose(new byte[6], new byte[6], 2, 3, 1));
    }

    private static Span<byte> AsBytes(ushort[] values) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan());

    private static Span<byte> AsBytes(uint[] values) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan());
}
