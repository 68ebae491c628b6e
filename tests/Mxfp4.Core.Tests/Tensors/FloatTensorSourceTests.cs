using System.Runtime.InteropServices;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Quantization;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;
using Mxfp4.Core.Tests.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.Tensors;

/// <summary>
/// The one floating view, over a mapped file or over memory: the same elements decode to the same values either
/// way, the values written down by hand for each dtype, and the encoder reads both in place alike.
/// </summary>
public sealed class FloatTensorSourceTests : IDisposable
{
    /// <summary>1.5, -2, 0.25, 0 as each dtype's bits, written from the formats' definitions (sign, exponent, mantissa).</summary>
    public static TheoryData<SafetensorsDType, byte[]> Elements => new()
    {
        { SafetensorsDType.F32, [0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x80, 0x3E, 0x00, 0x00, 0x00, 0x00] },
        { SafetensorsDType.BF16, [0xC0, 0x3F, 0x00, 0xC0, 0x80, 0x3E, 0x00, 0x00] },
        { SafetensorsDType.F16, [0x00, 0x3E, 0x00, 0xC0, 0x00, 0x34, 0x00, 0x00] },
        { SafetensorsDType.F8_E4M3, [0x3C, 0xC0, 0x28, 0x00] },
        { SafetensorsDType.F8_E5M2, [0x3E, 0xC0, 0x34, 0x00] },
    };

    private static readonly float[] Values = [1.5f, -2f, 0.25f, 0f];

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [MemberData(nameof(Elements))]
    public void A_file_view_and_a_memory_view_of_the_same_elements_decode_to_the_hand_values(SafetensorsDType dtype, byte[] elements)
    {
        using var file = MapWithPadding(elements, padding: 13);
        var views = new[] { new FloatTensorSource(file, 13, Values.Length, dtype), new FloatTensorSource(elements, dtype) };

        foreach (var view in views)
        {
            Assert.Equal(Values.Length, view.ElementCount);
            var decoded = new float[Values.Length];
            view.Decode(0, Values.Length, MemoryMarshal.AsBytes(decoded.AsSpan()), OutputFormat.F32);
            Assert.Equal(Values, decoded);
            Assert.Equal(elements, view.Bytes(0, Values.Length).ToArray());
            Assert.Equal(elements[^(elements.Length / 4)..], view.Bytes(3, 1).ToArray());
        }
    }

    [Theory]
    [InlineData(SafetensorsDType.BF16)]
    [InlineData(SafetensorsDType.F32)]
    [InlineData(SafetensorsDType.F16)]
    public void The_encoder_gives_the_same_blocks_from_a_file_view_and_a_memory_view(SafetensorsDType dtype)
    {
        var random = new Random(7);
        var values = Enumerable.Range(0, 64 * 32).Select(_ => (float)((random.NextDouble() - 0.5) * 100)).ToArray();
        var elements = new byte[values.Length * (dtype == SafetensorsDType.F32 ? 4 : 2)];
        var format = dtype switch
        {
            SafetensorsDType.F32 => OutputFormat.F32,
            SafetensorsDType.BF16 => OutputFormat.BF16,
            _ => OutputFormat.F16,
        };
        new FloatTensorSource(MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), SafetensorsDType.F32)
            .Decode(0, values.Length, elements, format);
        using var file = MapWithPadding(elements, padding: 8);

        var fromFile = Encode(new FloatTensorSource(file, 8, values.Length, dtype));
        var fromMemory = Encode(new FloatTensorSource(elements, dtype));

        Assert.Equal(fromMemory.Scales, fromFile.Scales);
        Assert.Equal(fromMemory.Blocks, fromFile.Blocks);
    }

    [Fact]
    public void A_view_outside_its_file_or_of_a_partial_element_is_refused()
    {
        using var file = MapWithPadding(new byte[8], padding: 4);

        Assert.Throws<ArgumentOutOfRangeException>(() => new FloatTensorSource(file, 4, 5, SafetensorsDType.BF16));
        Assert.Throws<ArgumentException>(() => new FloatTensorSource(new byte[3], SafetensorsDType.BF16));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FloatTensorSource(new byte[4], SafetensorsDType.U8));
    }

    private static (byte[] Blocks, byte[] Scales) Encode(TensorSource source)
    {
        long groups = source.ElementCount / 32;
        var blocks = new byte[groups * 16];
        var scales = new byte[groups];
        ParallelEncoder.Encode(source, 0, groups, blocks, scales, ScaleRule.Up, 2, null, CancellationToken.None);
        return (blocks, scales);
    }

    private MappedFile MapWithPadding(byte[] elements, int padding)
    {
        string path = _temp.File(Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, [.. new byte[padding], .. elements]);
        return MappedFile.Open(path);
    }
}
