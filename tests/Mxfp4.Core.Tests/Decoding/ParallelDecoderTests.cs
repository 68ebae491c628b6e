using System.Diagnostics;
using Mxfp4.Core.Decoding;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Tensors;
using Mxfp4.Core.Tests.Tensors;
using Mxfp4.Core.Threading;
using Xunit;

namespace Mxfp4.Core.Tests.Decoding;

public sealed class ParallelDecoderTests : IDisposable
{
    // Enough output for seven workers of at least MinBytesPerWorker each, in every format.
    private const int Groups = 8192 + 5;

    private readonly Mxfp4Fixture _fixture = new(Groups, separateFiles: true);
    private readonly WorkerPool _widePool = new(7);

    public static TheoryData<int, OutputFormat> ThreadsAndFormats()
    {
        var data = new TheoryData<int, OutputFormat>();
        foreach (int threads in new[] { 1, 2, 3, 7 })
        {
            foreach (var format in Enum.GetValues<OutputFormat>())
            {
                data.Add(threads, format);
            }
        }

        return data;
    }

    public void Dispose()
    {
        _fixture.Dispose();
        _widePool.Dispose();
    }

    [Theory]
    [MemberData(nameof(ThreadsAndFormats))]
    public void Whole_tensor_matches_the_reference_for_any_thread_count(int threads, OutputFormat format)
    {
        var actual = new byte[_fixture.ElementCount * format.BytesPerElement()];
        ParallelDecoder.Decode(_widePool, _fixture.Source, 0, _fixture.ElementCount, actual, format, threads, CancellationToken.None);
        Assert.Equal(_fixture.Expected(format), actual);
    }

    [Theory]
    [MemberData(nameof(ThreadsAndFormats))]
    public void Shared_pool_matches_the_reference(int threads, OutputFormat format)
    {
        var actual = new byte[_fixture.ElementCount * format.BytesPerElement()];
        ParallelDecoder.Decode(_fixture.Source, 0, _fixture.ElementCount, actual, format, threads, CancellationToken.None);
        Assert.Equal(_fixture.Expected(format), actual);
    }

    [Theory]
    [InlineData(32, 32 * 4000)]
    [InlineData(32 * 17, 32 * 5000 + 32)]
    [InlineData(32 * 8000, 32 * 197)]
    [InlineData(32 * 8191, 32 * 6)]
    [InlineData(5, 32 * 3000)]
    [InlineData(45, 200_001)]
    [InlineData(32 * 100 + 31, 1)]
    [InlineData(7, 3)]
    [InlineData(0, 0)]
    public void Sub_ranges_match_the_reference(long first, long count)
    {
        foreach (var format in Enum.GetValues<OutputFormat>())
        {
            int bytesPerElement = format.BytesPerElement();

            // A guard byte past the range must stay untouched.
            var actual = new byte[(count * bytesPerElement) + 1];
            actual[^1] = 0x5A;
            foreach (int threads in new[] { 1, 3, 7 })
            {
                ParallelDecoder.Decode(_widePool, _fixture.Source, first, count, actual, format, threads, CancellationToken.None);
                Assert.Equal(_fixture.Expected(format, first, count), actual[..^1]);
                Assert.Equal(0x5A, actual[^1]);
            }
        }
    }

    [Fact]
    public void Native_destination_overload_matches_the_reference()
    {
        var actual = new byte[_fixture.ElementCount * 2];
        unsafe
        {
            fixed (byte* pointer = actual)
            {
                ParallelDecoder.Decode(_fixture.Source, 0, _fixture.ElementCount, pointer, actual.LongLength, OutputFormat.BF16, 0,
                    CancellationToken.None);
            }
        }

        Assert.Equal(_fixture.Expected(OutputFormat.BF16), actual);
    }

    [Fact]
    public void Single_threaded_source_decode_matches_the_reference_at_odd_ranges()
    {
        var expected = _fixture.Expected(OutputFormat.F32);
        var random = new Random(7);
        for (int trial = 0; trial < 200; trial++)
        {
            long first = random.NextInt64(0, _fixture.ElementCount);
            int count = (int)random.NextInt64(0, Math.Min(5000, _fixture.ElementCount - first) + 1);
            var actual = new byte[count * 4];
            _fixture.Source.Decode(first, count, actual, OutputFormat.F32);
            Assert.Equal(expected.AsSpan((int)first * 4, count * 4).ToArray(), actual);
        }
    }

    [Fact]
    public void Memory_source_matches_the_reference()
    {
        var source = new Mxfp4TensorSource(_fixture.Blocks, _fixture.Scales);
        Assert.Equal(_fixture.ElementCount, source.ElementCount);
        foreach (
            var (first, count) in new (long, long)[] { (0, _fixture.ElementCount), (33, 100_000), (64, 31),
            (_fixture.ElementCount - 5, 5) })
        {
            var actual = new byte[count * 2];
            ParallelDecoder.Decode(_widePool, source, first, count, actual, OutputFormat.F16, 3, CancellationToken.None);
            Assert.Equal(_fixture.Expected(OutputFormat.F16, first, count), actual);
        }

        Assert.Throws<ArgumentException>(() => new Mxfp4TensorSource(new byte[33], new byte[2]));
    }

    [Fact]
    public void Blocks_and_scales_in_one_file_decode_the_same()
    {
        using var joined = new Mxfp4Fixture(300, separateFiles: false, seed: 99);
        var actual = new byte[joined.ElementCount * 2];
        ParallelDecoder.Decode(joined.Source, 0, joined.ElementCount, actual, OutputFormat.F16, 2, CancellationToken.None);
        Assert.Equal(joined.Expected(OutputFormat.F16), actual);
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        var small = new byte[100];
        Assert.Throws<ArgumentException>(()
            => ParallelDecoder.Decode(_fixture.Source, 0, 32, small, OutputFormat.F32, 1, CancellationToken.None));
        Assert.Throws<ArgumentOutOfRangeException>(()
            => ParallelDecoder.Decode(_fixture.Source, _fixture.ElementCount - 1, 2, new byte[8], OutputFormat.F32, 1,
            CancellationToken.None));
        Assert.Throws<ArgumentOutOfRangeException>(()
            => ParallelDecoder.Decode(_fixture.Source, -1, 1, new byte[4], OutputFormat.F32, 1, CancellationToken.None));
        Assert.Throws<ArgumentOutOfRangeException>(()
            => ParallelDecoder.Decode(_fixture.Source, 0, 1, new byte[4], OutputFormat.F32, -1, CancellationToken.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => _fixture.Source.Decode(0, 2, new byte[8], (OutputFormat)9));
    }

    [Fact]
    public void A_cancelled_token_throws_before_any_work()
    {
        var counting = new CountingSource(_fixture.Source, onDecode: null);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var output = new byte[_fixture.ElementCount * 4];
        Assert.ThrowsAny<OperationCanceledException>(()
            => ParallelDecoder.Decode(_widePool, counting, 0, _fixture.ElementCount, output, OutputFormat.F32, 3, cts.Token));
        Assert.Equal(0, counting.Calls);
    }

    [Fact]
    public void Cancelling_mid_way_stops_each_worker_within_one_chunk()
    {
        using var cts = new CancellationTokenSource();
        var counting = new CountingSource(_fixture.Source, onDecode: cts.Cancel);
        var output = new byte[_fixture.ElementCount * 4];
        const int threads = 3;
        Assert.ThrowsAny<OperationCanceledException>(()
            => ParallelDecoder.Decode(_widePool, counting, 0, _fixture.ElementCount, output, OutputFormat.F32, threads, cts.Token));

        // The whole tensor is ~8 chunks; after the first chunk cancels, each worker finishes at most the chunk it is in.
        long chunks = (_fixture.ElementCount * 4) / ParallelDecoder.ChunkBytes;
        Assert.True(chunks > threads + 1);
        Assert.InRange(counting.Calls, 1, threads);
    }

    [Fact]
    public void Cancelling_from_another_thread_stops_a_long_decode_quickly()
    {
        // Each source call takes 20 ms, so the whole decode would take seconds on two workers. The first call has
        // another thread cancel, and waits for it: a timer could fire after the decode ended on a loaded machine.
        using var cts = new CancellationTokenSource();
        int callsAtCancel = -1;
        int started = 0;
        CountingSource? slow = null;
        slow = new CountingSource(_fixture.Source, onDecode: () =>
        {
            if (Interlocked.Increment(ref started) == 1)
            {
                Task.Run(() =>
                {
                    callsAtCancel = slow!.Calls;
                    cts.Cancel();
                }).Wait();
            }

            Thread.Sleep(20);
        });
        var output = new byte[_fixture.ElementCount * 40 * 2];
        var watch = Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(()
            => ParallelDecoder.Decode(_widePool, new RepeatingSource(slow, 40), 0, _fixture.ElementCount * 40, output, OutputFormat.BF16, 2,
            cts.Token));
        watch.Stop();

        // After the cancel each of the two workers may finish the chunk it is in: one source call per chunk, or one
        // per staging piece when the output is big enough for streaming stores. Two calls of slack for the snapshot race.
        int callsPerChunk = output.Length >= ParallelDecoder.StreamingThresholdBytes
            ? ParallelDecoder.ChunkBytes / ParallelDecoder.StagingBytes : 1;
        Assert.True(watch.ElapsedMilliseconds < 2000, $"took {watch.ElapsedMilliseconds} ms");
        Assert.InRange(slow.Calls - callsAtCancel, 0, (2 * callsPerChunk) + 2);
    }

    /// <summary>Counts decode calls and runs a callback on each, before decoding.</summary>
    private sealed class CountingSource(TensorSource inner, Action? onDecode) : TensorSource
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public override long ElementCount => inner.ElementCount;

        public override int ElementAlignment => inner.ElementAlignment;

        protected override void DecodeCore(long firstElement, int count, Span<byte> destination, OutputFormat format)
        {
            Interlocked.Increment(ref _calls);
            onDecode?.Invoke();
            inner.Decode(firstElement, count, destination, format);
        }
    }

    /// <summary>The inner tensor repeated <c>times</c> over: a long tensor without a long fixture.</summary>
    private sealed class RepeatingSource(TensorSource inner, int times) : TensorSource
    {
        public override long ElementCount => inner.ElementCount * times;

        public override int ElementAlignment => inner.ElementAlignment;

        protected override void DecodeCore(long firstElement, int count, Span<byte> destination, OutputFormat format)
            => inner.Decode(firstElement % inner.ElementCount,
                (int)Math.Min(count, inner.ElementCount - (firstElement % inner.ElementCount)), destination, format);
    }
}
