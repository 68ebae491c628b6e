using System.Buffers.Binary;
using Mxfp4.Core.Conversion;
using Mxfp4.Core.Decoding;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Tensors;
using Mxfp4.Core.Tests.Conversion;
using Mxfp4.Core.Tests.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.Numerics;

/// <summary>The format types' own facts, and an undefined format rejected before anything is written.</summary>
public class OutputFormatTests
{
    private const OutputFormat Undefined = (OutputFormat)99;
    private const byte Sentinel = 0xA5;

    [Theory]
    [InlineData(OutputFormat.F32, 4)]
    [InlineData(OutputFormat.BF16, 2)]
    [InlineData(OutputFormat.F16, 2)]
    public void Each_value_maps_to_the_type_of_its_size(OutputFormat format, int bytes)
    {
        Assert.Equal(bytes, format.BytesPerElement());
        var probe = new FormatProbe();
        OutputFormats.Visit(format, ref probe, default, default, default);
        Assert.Equal(format, probe.Format);
    }

    [Theory]
    [InlineData(0x3F80_0000u, 0x3F80)] // 1: exact
    [InlineData(0x3F80_8000u, 0x3F80)] // 1 + 2^-8: a tie, to even 0x3F80
    [InlineData(0x3F81_8000u, 0x3F82)] // a tie above an odd mantissa, to even 0x3F82
    [InlineData(0x3F80_8001u, 0x3F81)] // just above the tie
    [InlineData(0x7F7F_FFFFu, 0x7F80)] // float32 max rounds up to +Inf
    [InlineData(0xFF80_0001u, 0xFFC0)] // a signalling NaN with a low payload stays NaN, made quiet, sign kept
    public void BF16_scalar_store_rounds_to_nearest_even(uint bits, int expected)
    {
        var destination = new byte[2];
        BF16Format.Store(BitConverter.UInt32BitsToSingle(bits), destination);
        Assert.Equal((ushort)expected, BinaryPrimitives.ReadUInt16LittleEndian(destination));
    }

    [Theory]
    [InlineData(0x3FC0_0000u, 0x3E00)] // 1.5
    [InlineData(0x3380_0000u, 0x0001)] // 2^-24, the smallest subnormal
    [InlineData(0x3300_0000u, 0x0000)] // 2^-25: a tie, to even 0
    [InlineData(0x477F_F000u, 0x7C00)] // 65520: halfway between 65504 and 2^16, to even: +Inf
    [InlineData(0xFFC0_0000u, 0x7E00)] // every NaN becomes the positive quiet NaN
    public void F16_scalar_store_rounds_to_nearest_even(uint bits, int expected)
    {
        var destination = new byte[2];
        F16Format.Store(BitConverter.UInt32BitsToSingle(bits), destination);
        Assert.Equal((ushort)expected, BinaryPrimitives.ReadUInt16LittleEndian(destination));
    }

    [Fact]
    public void F32_scalar_store_keeps_every_bit()
    {
        var destination = new byte[4];
        F32Format.Store(BitConverter.UInt32BitsToSingle(0x8000_0001u), destination);
        Assert.Equal(0x8000_0001u, BinaryPrimitives.ReadUInt32LittleEndian(destination));
    }

    [Fact]
    public void An_undefined_format_has_no_size()
        => AssertUndefined(() => Undefined.BytesPerElement());

    [Fact]
    public void The_kernels_reject_an_undefined_format_before_writing()
    {
        var (blocks, scales) = OneGroup();
        foreach (var path in Enum.GetValues<KernelPath>())
        {
            var destination = Filled(Mxfp4Format.BlockElements * 4);
            AssertUndefined(() => Mxfp4Kernels.Dequantize(blocks, scales, destination, Undefined, path));
            AssertUntouched(destination);
        }

        var output = Filled(Mxfp4Format.BlockElements * 4);
        AssertUndefined(() => Mxfp4Kernels.Dequantize(blocks, scales, output, Undefined));
        AssertUntouched(output);
    }

    [Fact]
    public void The_reference_rejects_an_undefined_format_before_writing()
    {
        var (blocks, scales) = OneGroup();
        var destination = Filled(Mxfp4Format.BlockElements * 4);
        AssertUndefined(() => Mxfp4Reference.Dequantize(blocks, scales, destination, Undefined));
        AssertUntouched(destination);
    }

    [Theory]
    [InlineData(FloatType.F32)]
    [InlineData(FloatType.BF16)]
    [InlineData(FloatType.F16)]
    [InlineData(FloatType.F8_E4M3)]
    [InlineData(FloatType.F8_E5M2)]
    public void Float_conversion_rejects_an_undefined_format_before_writing(FloatType sourceType)
    {
        var source = new byte[8];
        var destination = Filled(8 * 4);
        foreach (int length in new[] { 8, 16, 32 })
        {
            AssertUndefined(() => FloatConversion.Convert(source, sourceType, destination.AsSpan(0, length), Undefined));
        }

        AssertUntouched(destination);
    }

    [Fact]
    public void Tensor_sources_the_parallel_decoder_and_the_stream_reject_an_undefined_format_before_writing()
    {
        var (blocks, scales) = OneGroup();
        var source = new Mxfp4TensorSource(blocks, scales);
        var destination = Filled(Mxfp4Format.BlockElements * 4);
        AssertUndefined(() => source.Decode(0, Mxfp4Format.BlockElements, destination, Undefined));
        AssertUndefined(() => source.Decode(3, 5, destination, Undefined));
        AssertUndefined(
            () => ParallelDecoder.Decode(source, 0, Mxfp4Format.BlockElements, destination, Undefined, 1, CancellationToken.None));
        AssertUndefined(() => new DequantizingStream(source, Undefined).Dispose());
        AssertUntouched(destination);
    }

    [Fact]
    public void A_conversion_rejects_an_undefined_format_before_creating_its_output()
    {
        using var temp = new TempDirectory();
        string source = SampleCheckpointFiles.CopyTo(temp.Path, SampleCheckpointFiles.HuggingFace);
        string destination = temp.File("out");
        AssertUndefined(() => Conversions.Run(source, destination, new ConversionOptions { Format = Undefined }));
        Assert.False(Directory.Exists(destination));
        Assert.Equal([source], Directory.GetFileSystemEntries(temp.Path));
    }

    private static (byte[] Blocks, byte[] Scales) OneGroup()
    {
        var blocks = new byte[Mxfp4Format.BlockBytes];
        Array.Fill(blocks, (byte)0x71);
        return (blocks, [127]);
    }

    private static byte[] Filled(int length)
    {
        var bytes = new byte[length];
        Array.Fill(bytes, Sentinel);
        return bytes;
    }

    private static void AssertUntouched(byte[] destination) => Assert.All(destination, b => Assert.Equal(Sentinel, b));

    private static void AssertUndefined(Action action)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(action);
        Assert.Equal(Undefined, error.ActualValue);
    }

    private struct FormatProbe : IOutputFormatVisitor
    {
        public OutputFormat Format { get; private set; }

        public void Visit<TFormat>(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination)
            where TFormat : struct, IOutputFormat
            => Format = TFormat.Format;
    }
}
