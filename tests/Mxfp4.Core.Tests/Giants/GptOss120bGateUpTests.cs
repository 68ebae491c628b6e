using Mxfp4.Core.Decoding;
using Mxfp4.Core.Formats;
using Mxfp4.Core.MatVec;
using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;
using Mxfp4.Core.Tests.Tensors;
using Xunit;
using Fixture = Mxfp4.Core.Tests.Giants.GptOss120bGateUpCheckpoint;

namespace Mxfp4.Core.Tests.Giants;

/// <summary>The whole read path on a gpt-oss-120b-sized MXFP4 tensor beyond 4 GiB, through the checkpoint API.</summary>
public sealed class GptOss120bGateUpTests : IClassFixture<Fixture>
{
    private const long FourGiB = 4L << 30;
    private readonly Fixture _fixture;

    public GptOss120bGateUpTests(Fixture fixture) => _fixture = fixture;

    private const long TailElements = (long)Fixture.FilledRows * Fixture.Columns;

    [Fact]
    public void Header_lists_the_tensors_at_their_64_bit_offsets()
    {
        using var checkpoint = Checkpoint.Open(_fixture.Path);

        var blocks = checkpoint.Find(Fixture.Name + "_blocks")!;
        var scales = checkpoint.Find(Fixture.Name + "_scales")!;
        Assert.Equal(3, checkpoint.Tensors.Count);
        Assert.Equal([132L, 5760, 90, 16], blocks.Shape);
        Assert.Equal(132L * 5760 * 90 * 16, blocks.ByteLength);
        Assert.True(blocks.DataOffset > FourGiB);
        Assert.Equal(blocks.DataOffset + blocks.ByteLength, scales.DataOffset);
        Assert.Equal(new FileInfo(_fixture.Path).Length, scales.DataOffset + scales.ByteLength);
    }

    [Fact]
    public void Pairing_gives_the_logical_tensor_beyond_2_to_the_31_elements()
    {
        using var checkpoint = Checkpoint.Open(_fixture.Path);

        var pair = Assert.Single(Mxfp4Pairing.Pair(checkpoint.Tensors));

        Assert.Null(pair.Error);
        Assert.Equal(Fixture.Name, pair.Tensor!.Name);
        Assert.Equal([132L, 5760, 2880], pair.Tensor.Shape);
        Assert.Equal(132L * 5760 * 2880, pair.Tensor.ElementCount);
        Assert.True(pair.Tensor.ElementCount > int.MaxValue);
        Assert.Equal(132L * 5760 * 90, pair.Tensor.GroupCount);
    }

    [Theory]
    [InlineData(OutputFormat.F32)]
    [InlineData(OutputFormat.BF16)]
    public void Parallel_decoder_decodes_the_last_rows_like_the_reference(OutputFormat format)
    {
        using var checkpoint = Checkpoint.Open(_fixture.Path);
        using var reader = TensorReader.Open(Mxfp4Pairing.Pair(checkpoint.Tensors)[0].Tensor!);
        var expected = Mxfp4Fixture.Reference(_fixture.TailBlocks, _fixture.TailScales, format);

        // One row before the filled ones as well: it must come out as zeros.
        long first = reader.Source.ElementCount - TailElements - Fixture.Columns;
        var actual = new byte[(TailElements + Fixture.Columns) * format.BytesPerElement()];
        ParallelDecoder.Decode(reader.Source, first, TailElements + Fixture.Columns, actual, format, 2, CancellationToken.None);

        int zeroBytes = Fixture.Columns * format.BytesPerElement();
        Assert.All(actual[..zeroBytes], b => Assert.Equal(0, b));
        Assert.Equal(expected, actual[zeroBytes..]);
    }

    [Fact]
    public void Stream_seeks_near_the_end_and_reads_the_reference_bytes()
    {
        using var checkpoint = Checkpoint.Open(_fixture.Path);
        using var reader = TensorReader.Open(Mxfp4Pairing.Pair(checkpoint.Tensors)[0].Tensor!);
        var expected = Mxfp4Fixture.Reference(_fixture.TailBlocks, _fixture.TailScales, OutputFormat.F32);
        using var stream = new DequantizingStream(reader.Source, OutputFormat.F32);

        const int back = 1000 * 4 + 2;
        stream.Seek(-back, SeekOrigin.End);
        Assert.Equal(stream.Length - back, stream.Position);
        Assert.True(stream.Position > FourGiB * 2);
        var actual = new byte[back + 100];
        int read = stream.ReadAtLeast(actual, actual.Length, throwOnEndOfStream: false);

        Assert.Equal(back, read);
        Assert.Equal(expected[^back..], actual[..read]);
    }

    [Fact]
    public void MatVec_of_the_last_expert_matches_a_float64_reference()
    {
        using var checkpoint = Checkpoint.Open(_fixture.Path);
        using var reader = TensorReader.Open(Mxfp4Pairing.Pair(checkpoint.Tensors)[0].Tensor!);
        var matrix = new Mxfp4Matrix(reader.Storage, (long)Fixture.Experts * Fixture.RowsPerExpert, Fixture.GroupsPerRow, Fixture.Name)
            .Expert(Fixture.Experts - 1, Fixture.RowsPerExpert);
        var random = new Random(5);
        var x = Enumerable.Range(0, Fixture.Columns).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();

        var y = Mxfp4MatVec.Multiply(matrix, x, threads: 2);

        Assert.Equal(Fixture.RowsPerExpert, y.Length);
        Assert.All(y[..^Fixture.FilledRows], v => Assert.Equal(0f, v));
        for (int row = 0; row < Fixture.FilledRows; row++)
        {
            double sum = 0;
            double magnitude = 0;
            for (int k = 0; k < Fixture.Columns; k++)
            {
                int group = (row * Fixture.GroupsPerRow) + (k / Mxfp4Format.BlockElements);
                var block = _fixture.TailBlocks.AsSpan(group * Mxfp4Format.BlockBytes, Mxfp4Format.BlockBytes);
                double term = (double)Mxfp4Reference.Element(block, k % Mxfp4Format.BlockElements, _fixture.TailScales[group]) * x[k];
                sum += term;
                magnitude += Math.Abs(term);
            }

            float actual = y[Fixture.RowsPerExpert - Fixture.FilledRows + row];
            Assert.True(Math.Abs(actual - sum) <= 1e-6 * magnitude + 1e-30, $"row {row}: {actual} vs {sum}");
        }
    }
}
