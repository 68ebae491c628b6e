using Mxfp4.Core.Decoding;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;
using Mxfp4.Core.Tests.Tensors;
using Xunit;

namespace Mxfp4.Core.Tests.Decoding;

/// <summary>
/// A tensor of more than 2^31 elements whose blocks start beyond 4 GiB, in a sparse file: only its last groups hold
/// data, so the test writes a few KiB while every offset and element index needs 64 bits.
/// </summary>
public sealed class SparseGiantTensorTests : IDisposable
{
    private const long GroupCount = (1L << 26) + 3;
    private const long BlocksOffset = (4L << 30) + 4097;
    private const long ScalesOffset = BlocksOffset + (GroupCount * Mxfp4Format.BlockBytes) + 13;
    private const int TailGroups = 8;

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"mxfp4-sparse-{Guid.NewGuid():N}.bin");
    private readonly byte[] _tailBlocks = new byte[TailGroups * Mxfp4Format.BlockBytes];
    private readonly byte[] _tailScales = [0, 1, 127, 254, 255, 118, 121, 130];
    private readonly MappedFile _file;

    public SparseGiantTensorTests()
    {
        new Random(3).NextBytes(_tailBlocks);
        using (var stream = new FileStream(_path, FileMode.CreateNew, FileAccess.Write))
        {
            stream.SetLength(ScalesOffset + GroupCount + 1);
            stream.Position = BlocksOffset + ((GroupCount - TailGroups) * Mxfp4Format.BlockBytes);
            stream.Write(_tailBlocks);
            stream.Position = ScalesOffset + GroupCount - TailGroups;
            stream.Write(_tailScales);
        }

        _file = MappedFile.Open(_path);
        Source = new Mxfp4TensorSource(_file, BlocksOffset, _file, ScalesOffset, GroupCount);
    }

    private Mxfp4TensorSource Source { get; }

    public void Dispose()
    {
        _file.Dispose();
        File.Delete(_path);
    }

    [Fact]
    public void The_tensor_is_beyond_two_to_the_31_elements_and_four_gibibytes()
    {
        Assert.True(Source.ElementCount > int.MaxValue);
        Assert.True(BlocksOffset > uint.MaxValue);
    }

    [Theory]
    [InlineData(OutputFormat.F32)]
    [InlineData(OutputFormat.BF16)]
    [InlineData(OutputFormat.F16)]
    public void The_last_groups_decode_like_the_reference(OutputFormat format)
    {
        var expected = Mxfp4Fixture.Reference(_tailBlocks, _tailScales, format);
        long first = Source.ElementCount - (TailGroups * Mxfp4Format.BlockElements);
        var actual = new byte[expected.Length];
        ParallelDecoder.Decode(Source, first, TailGroups * Mxfp4Format.BlockElements, actual, format, 2, CancellationToken.None);
        Assert.Equal(expected, actual);

        // A range ending mid-group through the single-threaded path.
        var partial = new byte[45 * format.BytesPerElement()];
        Source.Decode(first + 3, 45, partial, format);
        Assert.Equal(expected.AsSpan(3 * format.BytesPerElement(), partial.Length).ToArray(), partial);
    }

    [Fact]
    public void Groups_before_the_tail_are_zero_scale_zeros()
    {
        // All-zero blocks with scale byte 0: +0 times 2^-127 is +0.
        var actual = new byte[64 * 4];
        Array.Fill(actual, (byte)0xFF);
        Source.Decode(Source.ElementCount - (TailGroups * Mxfp4Format.BlockElements) - 64, 64, actual, OutputFormat.F32);
        Assert.All(actual, b => Assert.Equal(0, b));
    }

    [Fact]
    public void The_stream_seeks_near_the_end()
    {
        var expected = Mxfp4Fixture.Reference(_tailBlocks, _tailScales, OutputFormat.BF16);
        using var stream = new DequantizingStream(Source, OutputFormat.BF16);
        Assert.Equal(Source.ElementCount * 2, stream.Length);
        stream.Seek(-expected.Length + 1, SeekOrigin.End);
        var actual = new byte[expected.Length];
        int read = stream.ReadAtLeast(actual, actual.Length, throwOnEndOfStream: false);
        Assert.Equal(expected.Length - 1, read);
        Assert.Equal(expected[1..], actual[..read]);
        Assert.Equal(0, stream.Read(actual));
    }
}
