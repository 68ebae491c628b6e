using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Tests.Tensors;
using Xunit;

namespace Mxfp4.Core.Tests.Decoding;

public sealed class DequantizingStreamTests : IDisposable
{
    // Just over two buffered chunks of F32 output, and a partial third.
    private const int Groups = (2 * DequantizingStream.ChunkBytes / 128) + 1003;

    private readonly Mxfp4Fixture _fixture = new(Groups, separateFiles: true, seed: 42);

    public void Dispose() => _fixture.Dispose();

    [Theory]
    [InlineData(1, OutputFormat.BF16)]
    [InlineData(3, OutputFormat.F32)]
    [InlineData(7, OutputFormat.F16)]
    [InlineData(4095, OutputFormat.F32)]
    [InlineData(4095, OutputFormat.BF16)]
    [InlineData(DequantizingStream.ChunkBytes + 5, OutputFormat.F32)]
    [InlineData(DequantizingStream.ChunkBytes + 5, OutputFormat.F16)]
    [InlineData(3 * DequantizingStream.ChunkBytes, OutputFormat.F32)]
    public void Reads_of_any_size_reproduce_the_materialised_bytes(int readSize, OutputFormat format)
    {
        using var stream = new DequantizingStream(_fixture.Source, format);
        Assert.Equal(_fixture.Expected(format), ReadAll(stream, readSize));
        Assert.Equal(stream.Length, stream.Position);
    }

    [Fact]
    public void Length_and_capabilities()
    {
        using var stream = new DequantizingStream(_fixture.Source, OutputFormat.F32);
        Assert.Equal(_fixture.ElementCount * 4, stream.Length);
        Assert.True(stream.CanRead);
        Assert.True(stream.CanSeek);
        Assert.False(stream.CanWrite);
        Assert.Equal(0, stream.Position);
        Assert.Throws<NotSupportedException>(() => stream.Write(new byte[1], 0, 1));
        Assert.Throws<NotSupportedException>(() => stream.SetLength(1));
    }

    [Fact]
    public void Seeks_to_random_positions_then_reads_match()
    {
        var format = OutputFormat.F32;
        var expected = _fixture.Expected(format);
        using var stream = new DequantizingStream(_fixture.Source, format);
        var random = new Random(5);
        var positions = new List<long> { 0, 1, 2, 3, expected.Length - 1, expected.Length - 2, expected.Length - 5,
            DequantizingStream.ChunkBytes - 1, DequantizingStream.ChunkBytes + 2 };
        for (int i = 0; i < 60; i++)
        {
            positions.Add(random.NextInt64(0, expected.Length));
        }

        foreach (long position in positions)
        {
            int size = random.Next(0, 3) switch
            {
                0 => random.Next(1, 10),
                1 => random.Next(1, 70_000),
                _ => random.Next(DequantizingStream.ChunkBytes, (2 * DequantizingStream.ChunkBytes) + 9),
            };
            Assert.Equal(position, stream.Seek(position, SeekOrigin.Begin));
            var actual = new byte[size];
            int read = stream.ReadAtLeast(actual, size, throwOnEndOfStream: false);
            int expectedRead = (int)Math.Min(size, expected.Length - position);
            Assert.Equal(expectedRead, read);
            Assert.Equal(expected.AsSpan((int)position, expectedRead).ToArray(), actual[..read]);
            Assert.Equal(position + read, stream.Position);
        }
    }

    [Fact]
    public void Seek_origins_and_bounds()
    {
        using var stream = new DequantizingStream(_fixture.Source, OutputFormat.BF16);
        Assert.Equal(stream.Length - 3, stream.Seek(-3, SeekOrigin.End));
        Assert.Equal(stream.Length - 1, stream.Seek(2, SeekOrigin.Current));
        var expected = _fixture.Expected(OutputFormat.BF16);
        Assert.Equal(expected[^1], stream.ReadByte());
        Assert.Equal(-1, stream.ReadByte());
        Assert.Equal(0, stream.Read(new byte[10]));

        stream.Position = stream.Length + 100;
        Assert.Equal(0, stream.Read(new byte[10], 0, 10));
        Assert.Throws<IOException>(() => stream.Seek(-1, SeekOrigin.Begin));
        Assert.Throws<ArgumentOutOfRangeException>(() => stream.Position = -1);
        Assert.Equal(stream.Length + 100, stream.Position);
    }

    [Fact]
    public async Task Async_reads_match()
    {
        var expected = _fixture.Expected(OutputFormat.F16);
        using var stream = new DequantizingStream(_fixture.Source, OutputFormat.F16);
        var actual = new byte[expected.Length];
        int total = 0;
        int size = 1;
        while (true)
        {
            int want = Math.Min(size, actual.Length - total);
            int read = size % 2 == 0
                ? await stream.ReadAsync(actual.AsMemory(total, want))
#pragma warning disable CA1835 // the array overload is part of what is tested
                : await stream.ReadAsync(actual, total, want);
#pragma warning restore CA1835
            if (read == 0)
            {
                break;
            }

            total += read;
            size = (size * 3) + 1;
        }

        Assert.Equal(expected.Length, total);
        Assert.Equal(expected, actual);
        Assert.Equal(0, await stream.ReadAsync(new byte[4]));
    }

    [Fact]
    public async Task A_cancelled_async_read_is_a_cancelled_task()
    {
        using var stream = new DequantizingStream(_fixture.Source, OutputFormat.F32);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async ()
            => await stream.ReadAtLeastAsync(new byte[100], 100, cancellationToken: cts.Token));
        Assert.Equal(0, stream.Position);
    }

    [Theory]
    [InlineData(0, 32)]
    [InlineData(45, 1000)]
    [InlineData(32 * 1000, 32 * 15000)]
    [InlineData(32 * 9 + 7, 32 * 12000 + 19)]
    [InlineData(100, 0)]
    public void Slices_hold_exactly_their_elements(long first, long count)
    {
        foreach (var format in Enum.GetValues<OutputFormat>())
        {
            using var stream = new DequantizingStream(_fixture.Source, format, first, count, threads: 2);
            Assert.Equal(count * format.BytesPerElement(), stream.Length);
            Assert.Equal((first, count, format), (stream.FirstElement, stream.ElementCount, stream.Format));
            Assert.Equal(_fixture.Expected(format, first, count), ReadAll(stream, 777));
            stream.Position = 0;
            Assert.Equal(_fixture.Expected(format, first, count), ReadAll(stream, DequantizingStream.ChunkBytes + 3));
        }
    }

    [Fact]
    public void CopyTo_writes_the_whole_tensor()
    {
        using var stream = new DequantizingStream(_fixture.Source, OutputFormat.BF16);
        stream.Position = 3;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        Assert.Equal(_fixture.Expected(OutputFormat.BF16)[3..], copy.ToArray());
    }

    [Fact]
    public async Task CopyToAsync_writes_the_whole_tensor()
    {
        using var stream = new DequantizingStream(_fixture.Source, OutputFormat.F32, threads: 1);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        Assert.Equal(_fixture.Expected(OutputFormat.F32), copy.ToArray());
    }

    [Fact]
    public void Disposing_disposes_the_owner_and_closes_the_stream()
    {
        var owner = new DisposeCounter();
        var stream = new DequantizingStream(_fixture.Source, OutputFormat.F32, owner: owner);
        stream.Dispose();
        stream.Dispose();
        Assert.Equal(1, owner.Count);
        Assert.False(stream.CanRead);
        Assert.Throws<ObjectDisposedException>(() => stream.Read(new byte[4]));
        Assert.Throws<ObjectDisposedException>(() => stream.Position);
    }

    [Fact]
    public void Bad_ranges_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(()
            => new DequantizingStream(_fixture.Source, OutputFormat.F32, 1, _fixture.ElementCount));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DequantizingStream(_fixture.Source, OutputFormat.F32, -1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DequantizingStream(_fixture.Source, OutputFormat.F32, threads: -1));
    }

    private static byte[] ReadAll(Stream stream, int readSize)
    {
        using var all = new MemoryStream();
        var buffer = new byte[readSize];
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) != 0)
        {
            all.Write(buffer, 0, read);
        }

        return all.ToArray();
    }

    private sealed class DisposeCounter : IDisposable
    {
        public int Count { get; private set; }

        public void Dispose() => Count++;
    }
}
