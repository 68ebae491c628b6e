using System.Runtime.InteropServices;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Numerics;
using Xunit;

namespace Mxfp4.Core.Tests.Formats;

/// <summary>Every SIMD path against the scalar reference, on every byte value with every scale, in every format.</summary>
public class Mxfp4KernelsTests
{
    private static readonly KernelPath[] VectorPaths = [KernelPath.Vector128, KernelPath.Vector256, KernelPath.Vector512];

    /// <summary>Every vector path with every format; the scalar path is the reference itself, so it is not a row.</summary>
    public static TheoryData<KernelPath, OutputFormat> PathsAndFormats()
    {
        var data = new TheoryData<KernelPath, OutputFormat>();
        foreach (var path in VectorPaths)
        {
            foreach (var format in Enum.GetValues<OutputFormat>())
            {
                data.Add(path, format);
            }
        }

        return data;
    }

    public static TheoryData<KernelPath, OutputFormat, int, int> RaggedCases()
    {
        var data = new TheoryData<KernelPath, OutputFormat, int, int>();
        foreach (var path in VectorPaths)
        {
            foreach (var format in Enum.GetValues<OutputFormat>())
            {
                foreach (int groups in new[] { 1, 2, 3, 7, 31, 33, 1000 })
                {
                    foreach (int offset in new[] { 0, 1, 3 })
                    {
                        data.Add(path, format, groups, offset);
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PathsAndFormats))]
    public void Every_byte_with_every_scale_matches_the_reference(KernelPath path, OutputFormat format)
    {
        // 16 groups per scale hold the 256 byte values; the start rotates with the scale so each value also visits
        // every position in the block.
        const int groupsPerScale = 256 / Mxfp4Format.BlockBytes;
        var scales = new byte[256 * groupsPerScale];
        var blocks = new byte[scales.Length * Mxfp4Format.BlockBytes];
        for (int s = 0; s < 256; s++)
        {
            for (int j = 0; j < groupsPerScale; j++)
            {
                int g = (s * groupsPerScale) + j;
                scales[g] = (byte)s;
                for (int k = 0; k < Mxfp4Format.BlockBytes; k++)
                {
                    blocks[(g * Mxfp4Format.BlockBytes) + k] = (byte)((j * Mxfp4Format.BlockBytes) + k + (17 * s));
                }
            }
        }

        AssertMatchesReference(blocks, scales, format, path);
    }

    [Theory]
    [MemberData(nameof(PathsAndFormats))]
    public void Random_blocks_and_scales_match_the_reference(KernelPath path, OutputFormat format)
    {
        var random = new Random(20261123 + ((int)path * 7) + (int)format);
        var scales = new byte[4099];
        var blocks = new byte[scales.Length * Mxfp4Format.BlockBytes];
        random.NextBytes(blocks);
        random.NextBytes(scales);
        AssertMatchesReference(blocks, scales, format, path);
    }

    [Theory]
    [MemberData(nameof(RaggedCases))]
    public void Unaligned_destinations_are_written_exactly_within_bounds(KernelPath path, OutputFormat format, int groups, int offset)
    {
        const int guard = 67;
        const byte sentinel = 0xA5;
        var random = new Random((groups * 31) + offset);
        var scales = new byte[groups];
        var blocks = new byte[groups * Mxfp4Format.BlockBytes];
        random.NextBytes(blocks);
        random.NextBytes(scales);
        scales[0] = 255;
        scales[groups - 1] = 0;

        int length = groups * Mxfp4Format.BlockElements * format.BytesPerElement();
        var expected = new byte[length];
        Mxfp4Reference.Dequantize(blocks, scales, expected, format);

        // The source spans are sliced off-alignment too.
        var paddedBlocks = new byte[blocks.Length + offset];
        var paddedScales = new byte[scales.Length + offset];
        blocks.CopyTo(paddedBlocks, offset);
        scales.CopyTo(paddedScales, offset);

        var buffer = new byte[offset + length + guard];
        Array.Fill(buffer, sentinel);
        Mxfp4Kernels.Dequantize(paddedBlocks.AsSpan(offset), paddedScales.AsSpan(offset), buffer.AsSpan(offset, length), format, path);

        Assert.All(buffer[..offset], b => Assert.Equal(sentinel, b));
        Assert.All(buffer[(offset + length)..], b => Assert.Equal(sentinel, b));
        Assert.Equal(expected, buffer[offset..(offset + length)]);
    }

    [Theory]
    [InlineData(OutputFormat.F32)]
    [InlineData(OutputFormat.BF16)]
    [InlineData(OutputFormat.F16)]
    public void The_public_entry_point_matches_the_reference(OutputFormat format)
    {
        var random = new Random(7);
        var scales = new byte[513];
        var blocks = new byte[scales.Length * Mxfp4Format.BlockBytes];
        random.NextBytes(blocks);
        random.NextBytes(scales);
        var expected = new byte[scales.Length * Mxfp4Format.BlockElements * format.BytesPerElement()];
        var actual = new byte[expected.Length];
        Mxfp4Reference.Dequantize(blocks, scales, expected, format);
        Mxfp4Kernels.Dequantize(blocks, scales, actual, format);
        Assert.Equal(expected, actual);
    }

    /// <summary>Hand-computed bits (F32, BF16, F16) of one nibble at one scale: the edges every lookup row must carry.</summary>
    public static TheoryData<byte, byte, uint, ushort, ushort> EdgeValues() => new()
    {
        { 127, 7, 0x40C0_0000, 0x40C0, 0x4600 }, // 6 * 2^0
        { 127, 8, 0x8000_0000, 0x8000, 0x8000 }, // -0 keeps its sign
        { 255, 3, 0x7FC0_0000, 0x7FC0, 0x7E00 }, // scale 255: the canonical NaN, whatever the nibble
        { 255, 0, 0x7FC0_0000, 0x7FC0, 0x7E00 },
        { 0, 1, 0x0020_0000, 0x0020, 0x0000 }, // 0.5 * 2^-127 = 2^-128: a float32 subnormal, below F16's range
        { 0, 15, 0x8140_0000, 0x8140, 0x8000 }, // -6 * 2^-127 = -1.5 * 2^-125, normal in float32; F16 rounds to -0
        { 104, 1, 0x3380_0000, 0x3380, 0x0001 }, // 0.5 * 2^-23 = 2^-24, the smallest F16 subnormal
        { 104, 3, 0x3440_0000, 0x3440, 0x0003 }, // 1.5 * 2^-23 = 3 * 2^-24, an exact F16 subnormal
        { 103, 3, 0x33C0_0000, 0x33C0, 0x0002 }, // 1.5 * 2^-24: an F16 tie between 1 and 2 * 2^-24, rounded to even
        { 103, 1, 0x3300_0000, 0x3300, 0x0000 }, // 2^-25: the tie between 0 and 2^-24, rounded to even
        { 142, 7, 0x4840_0000, 0x4840, 0x7C00 }, // 6 * 2^15 = 196608: beyond F16's 65504, +Inf
        { 254, 15, 0xFF80_0000, 0xFF80, 0xFC00 }, // -6 * 2^127 overflows float32 too: -Inf
    };

    [Theory]
    [MemberData(nameof(EdgeValues))]
    public unsafe void Every_path_and_store_kind_writes_the_hand_computed_edge_values(
        byte scale, byte nibble, uint f32, ushort bf16, ushort f16)
    {
        // Three groups, every element the nibble, the middle one with the scale under test (the others NaN and 2^0).
        var blocks = new byte[3 * Mxfp4Format.BlockBytes];
        Array.Fill(blocks, (byte)(nibble | (nibble << 4)));
        byte[] scales = [255, scale, 127];
        byte* aligned = (byte*)NativeMemory.AlignedAlloc(3 * Mxfp4Format.BlockElements * sizeof(float), 64);
        try
        {
            foreach (var (format, bits) in new[] { (OutputFormat.F32, f32), (OutputFormat.BF16, bf16), (OutputFormat.F16, (uint)f16) })
            {
                int bytesPerElement = format.BytesPerElement();
                int groupBytes = Mxfp4Format.BlockElements * bytesPerElement;
                var expected = new byte[groupBytes];
                for (int i = 0; i < Mxfp4Format.BlockElements; i++)
                {
                    var element = expected.AsSpan(i * bytesPerElement, bytesPerElement);
                    Assert.True(bytesPerElement == sizeof(uint)
                        ? BitConverter.TryWriteBytes(element, bits)
                        : BitConverter.TryWriteBytes(element, (ushort)bits));
                }

                foreach (var path in Enum.GetValues<KernelPath>())
                {
                    var output = new byte[3 * groupBytes];
                    Mxfp4Kernels.Dequantize(blocks, scales, output, format, path);
                    Assert.Equal(expected, output[groupBytes..(2 * groupBytes)]);
                }

                if (Mxfp4Kernels.CanWriteNonTemporal(aligned))
                {
                    var region = new Span<byte>(aligned, 3 * groupBytes);
                    region.Fill(0xCC);
                    Mxfp4Kernels.DequantizeNonTemporal(blocks, scales, aligned, format);
                    StreamingStore.Fence();
                    Assert.Equal(expected, region.Slice(groupBytes, groupBytes).ToArray());
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(aligned);
        }
    }

    [Theory]
    [InlineData(OutputFormat.F32)]
    [InlineData(OutputFormat.BF16)]
    [InlineData(OutputFormat.F16)]
    public unsafe void Streaming_stores_match_the_reference_on_every_byte_and_scale_and_write_nothing_more(OutputFormat format)
    {
        const int guard = 256;
        var random = new Random(15 + (int)format);
        var scales = new byte[256 * 16 + 37];
        var blocks = new byte[scales.Length * Mxfp4Format.BlockBytes];
        random.NextBytes(blocks);
        random.NextBytes(scales);

        // As the exhaustive test: 16 groups per scale hold the 256 byte values, rotated with the scale; then a ragged
        // tail of random groups.
        for (int g = 0; g < 256 * 16; g++)
        {
            scales[g] = (byte)(g / 16);
            for (int k = 0; k < Mxfp4Format.BlockBytes; k++)
            {
                blocks[(g * Mxfp4Format.BlockBytes) + k] = (byte)(((g % 16) * Mxfp4Format.BlockBytes) + k + (17 * (g / 16)));
            }
        }

        var expected = new byte[scales.Length * Mxfp4Format.BlockElements * format.BytesPerElement()];
        Mxfp4Reference.Dequantize(blocks, scales, expected, format);
        byte* region = (byte*)NativeMemory.AlignedAlloc((nuint)(expected.Length + (2 * guard)), 64);
        try
        {
            var all = new Span<byte>(region, expected.Length + (2 * guard));
            all.Fill(0xA5);
            byte* output = region + guard;
            if (!Mxfp4Kernels.CanWriteNonTemporal(output))
            {
                Assert.NotEqual(KernelPath.Vector512, Mxfp4Kernels.ActivePath);
                Assert.Throws<ArgumentException>(() => Mxfp4Kernels.DequantizeNonTemporal(blocks, scales, output, format));
                return;
            }

            Assert.False(Mxfp4Kernels.CanWriteNonTemporal(output + format.BytesPerElement()));
            Mxfp4Kernels.DequantizeNonTemporal(blocks, scales, output, format);
            StreamingStore.Fence();
            Assert.Equal(expected, all.Slice(guard, expected.Length).ToArray());
            Assert.All(all[..guard].ToArray(), b => Assert.Equal(0xA5, b));
            Assert.All(all[(guard + expected.Length)..].ToArray(), b => Assert.Equal(0xA5, b));
        }
        finally
        {
            NativeMemory.AlignedFree(region);
        }
    }

    [Fact]
    public void No_groups_write_nothing()
    {
        foreach (var path in Enum.GetValues<KernelPath>())
        {
            Mxfp4Kernels.Dequantize([], [], [], OutputFormat.F32, path);
        }
    }

    [Fact]
    public void Paths_reported_supported_use_only_instructions_the_processor_has()
    {
        var flags = ProcessorFlags.Read();
        Assert.True(Mxfp4Kernels.IsSupported(KernelPath.Scalar));
        if (flags is null || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return;
        }

        Assert.True(!Mxfp4Kernels.IsSupported(KernelPath.Vector128) || flags.Contains("ssse3"));
        Assert.True(!Mxfp4Kernels.IsSupported(KernelPath.Vector256) || flags.Contains("avx2"));
        Assert.True(!Mxfp4Kernels.IsSupported(KernelPath.Vector512) || (flags.Contains("avx512f") && flags.Contains("avx512bw")));
        if (!ProcessorFlags.RuntimeRestricted())
        {
            // The converse where the runtime always uses what the processor has (it may decline AVX-512 on some parts).
            Assert.Equal(flags.Contains("ssse3"), Mxfp4Kernels.IsSupported(KernelPath.Vector128));
            Assert.Equal(flags.Contains("avx2"), Mxfp4Kernels.IsSupported(KernelPath.Vector256));
        }
    }

    [Fact]
    public void The_active_path_is_the_widest_supported()
    {
        Assert.True(Mxfp4Kernels.IsSupported(Mxfp4Kernels.ActivePath));
        Assert.All(Enum.GetValues<KernelPath>().Where(p => p > Mxfp4Kernels.ActivePath), p => Assert.False(Mxfp4Kernels.IsSupported(p)));
    }

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void Mismatched_lengths_throw(KernelPath path)
    {
        var blocks = new byte[32];
        var scales = new byte[2];
        Assert.Throws<ArgumentException>(() => Mxfp4Kernels.Dequantize(blocks.AsSpan(1), scales, new byte[256], OutputFormat.F32, path));
        Assert.Throws<ArgumentException>(() => Mxfp4Kernels.Dequantize(blocks, scales.AsSpan(1), new byte[256], OutputFormat.F32, path));
        Assert.Throws<ArgumentException>(() => Mxfp4Kernels.Dequantize(blocks, scales, new byte[255], OutputFormat.F32, path));
        Assert.Throws<ArgumentException>(() => Mxfp4Kernels.Dequantize(blocks, scales, new byte[256], OutputFormat.BF16, path));
        Assert.Throws<ArgumentException>(() => Mxfp4Kernels.Dequantize(blocks, scales, new byte[130], OutputFormat.F16, path));
    }

    private static void AssertMatchesReference(byte[] blocks, byte[] scales, OutputFormat format, KernelPath path)
    {
        var expected = new byte[scales.Length * Mxfp4Format.BlockElements * format.BytesPerElement()];
        var actual = new byte[expected.Length];
        Array.Fill(actual, (byte)0xCC);
        Mxfp4Reference.Dequantize(blocks, scales, expected, format);
        Mxfp4Kernels.Dequantize(blocks, scales, actual, format, path);

        int bytesPerElement = format.BytesPerElement();
        int firstDifference = expected.AsSpan().CommonPrefixLength(actual);
        if (firstDifference < expected.Length)
        {
            int element = firstDifference / bytesPerElement;
            int group = element / Mxfp4Format.BlockElements;
            int index = element % Mxfp4Format.BlockElements;
            byte packed = blocks[(group * Mxfp4Format.BlockBytes) + (index / 2)];
            Assert.Fail($"{path} {format}: element {index} of group {group} (byte 0x{packed:X2}, scale {scales[group]}) is "
                + $"{Hex(actual, element, bytesPerElement)}, expected {Hex(expected, element, bytesPerElement)}.");
        }
    }

    private static string Hex(byte[] data, int element, int size)
        => "0x" + Convert.ToHexString(data.AsSpan(element * size, size).ToArray().Reverse().ToArray());
}
