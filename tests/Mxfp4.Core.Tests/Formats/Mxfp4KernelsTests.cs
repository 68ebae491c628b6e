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
