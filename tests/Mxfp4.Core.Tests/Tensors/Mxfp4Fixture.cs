using Mxfp4.Core.Formats;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;

namespace Mxfp4.Core.Tests.Tensors;

/// <summary>
/// A small MXFP4 tensor written as raw bytes to temporary files (blocks and scales at odd offsets, in one file or two)
/// and mapped back, with its expected output computed by <see cref="Mxfp4Reference"/> from the same bytes.
/// </summary>
internal sealed class Mxfp4Fixture : IDisposable
{
    /// <summary>Scale bytes every fixture contains: the smallest, the NaN marker, and both sides of the bias.</summary>
    private static readonly byte[] EdgeScales = [0, 1, 126, 127, 128, 254, 255];

    private readonly List<string> _paths = [];
    private readonly List<MappedFile> _files = [];
    private readonly Dictionary<OutputFormat, byte[]> _expected = [];

    public Mxfp4Fixture(int groupCount, bool separateFiles, int seed = 1234)
    {
        var random = new Random(seed);
        Blocks = new byte[groupCount * Mxfp4Format.BlockBytes];
        Scales = new byte[groupCount];
        random.NextBytes(Blocks);
        for (int g = 0; g < groupCount; g++)
        {
            Scales[g] = g < EdgeScales.Length ? EdgeScales[g] : (byte)random.Next(0, 256);
        }

        random.Shuffle(Scales);
        const int blocksOffset = 37;
        const int scalesGap = 11;
        if (separateFiles)
        {
            var blocksFile = Write(Pad(blocksOffset, Blocks, 5));
            var scalesFile = Write(Pad(scalesGap, Scales, 3));
            Source = new Mxfp4TensorSource(blocksFile, blocksOffset, scalesFile, scalesGap, groupCount);
        }
        else
        {
            var joined = new byte[blocksOffset + Blocks.Length + scalesGap + Scales.Length + 2];
            Blocks.CopyTo(joined, blocksOffset);
            Scales.CopyTo(joined, blocksOffset + Blocks.Length + scalesGap);
            var file = Write(joined);
            Source = new Mxfp4TensorSource(file, blocksOffset, file, blocksOffset + Blocks.Length + scalesGap, groupCount);
        }
    }

    public byte[] Blocks { get; }

    public byte[] Scales { get; }

    public Mxfp4TensorSource Source { get; }

    public long ElementCount => (long)Scales.Length * Mxfp4Format.BlockElements;

    public static byte[] Reference(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, OutputFormat format)
    {
        var expected = new byte[scales.Length * Mxfp4Format.BlockElements * format.BytesPerElement()];
        Mxfp4Reference.Dequantize(blocks, scales, expected, format);
        return expected;
    }

    /// <summary>The reference bytes of the whole tensor.</summary>
    public byte[] Expected(OutputFormat format)
    {
        if (!_expected.TryGetValue(format, out var expected))
        {
            expected = Reference(Blocks, Scales, format);
            _expected[format] = expected;
        }

        return expected;
    }

    /// <summary>The reference bytes of elements [first, first + count).</summary>
    public byte[] Expected(OutputFormat format, long first, long count)
    {
        int bytesPerElement = format.BytesPerElement();
        return Expected(format).AsSpan((int)(first * bytesPerElement), (int)(count * bytesPerElement)).ToArray();
    }

    public void Dispose()
    {
        foreach (var file in _files)
        {
            file.Dispose();
        }

        foreach (var path in _paths)
        {
            File.Delete(path);
        }
    }

    private static byte[] Pad(int before, byte[] data, int after)
    {
        var padded = new byte[before + data.Length + after];
        Array.Fill(padded, (byte)0xA5);
        data.CopyTo(padded, before);
        return padded;
    }

    private MappedFile Write(byte[] contents)
    {
        string path = Path.Combine(Path.GetTempPath(), $"mxfp4-engine-{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(path, contents);
        _paths.Add(path);
        var file = MappedFile.Open(path);
        _files.Add(file);
        return file;
    }
}
