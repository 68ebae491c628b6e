using Mxfp4.Core.Decoding;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Tensors;
using Mxfp4.Core.Tests.Tensors;
using Xunit;

namespace Mxfp4.Core.Tests.Decoding;

public sealed class ChunkedReaderTests : IDisposable
{
    // 24 groups: a [3, 4, 64] expert tensor of 768 elements.
    private static readonly long[] Shape = [3, 4, 64];

    private readonly Mxfp4Fixture _fixture = new(24, separateFiles: true, seed: 7);

    public void Dispose() => _fixture.Dispose();

    /// <summary>Expert 2, rows 3, 0, 1: rows 0 and 1 merge, so the ranges are [704, +64) and [512, +128).</summary>
    private static TensorSlice Slice() => TensorSlice.Select("t", Shape, [2], [3, 0, 1]).Single();

    [Theory]
    [InlineData(4 << 20, OutputFormat.F32, 1L << 20)]
    [InlineData(4 << 20, OutputFormat.BF16, 2L << 20)]
    [InlineData(256, OutputFormat.F32, 64L)]
    [InlineData(383, OutputFormat.F16, 160L)]
    public void Chunk_elements_are_whole_blocks_within_the_byte_budget(int chunkBytes, OutputFormat format, long expected)
        => Assert.Equal(expected, ChunkedReader.ChunkElements(chunkBytes, format));

    [Fact]
    public void A_chunk_budget_below_one_block_is_refused()
        => Assert.Throws<ArgumentOutOfRangeException>(() => ChunkedReader.ChunkElements(100, OutputFormat.F32));

    [Fact]
    public void Chunks_cut_each_range_in_order_and_count_what_came_before()
    {
        var chunks = ChunkedReader.Chunks(Slice(), 96).ToList();
        Assert.Equal([new SliceChunk(704, 64, 0), new SliceChunk(512, 96, 64), new SliceChunk(608, 32, 160)], chunks);
    }

    [Fact]
    public void An_empty_slice_has_no_chunks()
        => Assert.Empty(ChunkedReader.Chunks(TensorSlice.Select("t", [0, 64], null, null).Single(), 64));

    [Theory]
    [InlineData(OutputFormat.F32)]
    [InlineData(OutputFormat.BF16)]
    [InlineData(OutputFormat.F16)]
    public void Read_chunks_are_new_arrays_that_join_into_the_reference_bytes(OutputFormat format)
    {
        var reader = new ChunkedReader(_fixture.Source, Slice(), format, threads: 2);
        var progress = new List<long>();
        var chunks = reader.ReadChunks(64 * format.BytesPerElement(), progress.Add, CancellationToken.None).ToList();

        Assert.Equal(3, chunks.Count);
        Assert.All(chunks, c => Assert.Equal(64 * format.BytesPerElement(), c.Length));
        Assert.Equal(3, chunks.Distinct().Count());
        Assert.Equal(Expected(format), chunks.SelectMany(c => c).ToArray());
        Assert.Equal([64L, 128L, 192L], progress);
    }

    [Theory]
    [InlineData(OutputFormat.F32)]
    [InlineData(OutputFormat.F16)]
    public void Copy_writes_the_reference_bytes_in_order(OutputFormat format)
    {
        var reader = new ChunkedReader(_fixture.Source, Slice(), format, threads: 0);
        using var written = new MemoryStream();
        var progress = new List<long>();
        reader.CopyTo(chunk => written.Write(chunk), 96 * format.BytesPerElement(), progress.Add, CancellationToken.None);

        Assert.Equal(Expected(format), written.ToArray());
        Assert.Equal([64L, 160L, 192L], progress);
    }

    [Fact]
    public void Decode_into_a_too_small_destination_is_refused()
    {
        var reader = new ChunkedReader(_fixture.Source, Slice(), OutputFormat.F32, threads: 1);
        Assert.Throws<ArgumentException>(() => reader.DecodeInto(new byte[(192 * 4) - 1], 256, null, CancellationToken.None));
    }

    [Fact]
    public void A_cancelled_token_stops_before_the_first_chunk()
    {
        var reader = new ChunkedReader(_fixture.Source, Slice(), OutputFormat.F32, threads: 1);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        int written = 0;

        Assert.ThrowsAny<OperationCanceledException>(() => reader.CopyTo(_ => written++, 256, null, cancelled.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => reader.ReadChunks(256, null, cancelled.Token).ToList());
        Assert.Equal(0, written);
    }

    private byte[] Expected(OutputFormat format) => [.. _fixture.Expected(format, 704, 64), .. _fixture.Expected(format, 512, 128)];
}
