using System.Runtime.InteropServices;
using Mxfp4.Core.Decoding;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Tests.Tensors;
using Mxfp4.Core.Threading;
using Xunit;

namespace Mxfp4.Core.Tests.Formats;

public sealed class StreamingStoreTests
{
    [Fact]
    public unsafe void Copies_any_length_to_any_alignment_and_nothing_more()
    {
        var random = new Random(11);
        byte* block = (byte*)NativeMemory.AlignedAlloc(4096, 64);
        try
        {
            foreach (int length in new[] { 0, 1, 17, 63, 64, 65, 127, 128, 129, 1000, 3000 })
            {
                for (int misalign = 0; misalign < 64; misalign += 7)
                {
                    var source = new byte[length];
                    random.NextBytes(source);
                    var region = new Span<byte>(block, 4096);
                    region.Fill(0xEE);
                    StreamingStore.Copy(source, block + 8 + misalign);
                    StreamingStore.Fence();
                    Assert.Equal(source, region.Slice(8 + misalign, length).ToArray());
                    Assert.Equal(0xEE, region[7 + misalign]);
                    Assert.Equal(0xEE, region[8 + misalign + length]);
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(block);
        }
    }

    [Theory]
    [InlineData(OutputFormat.F32)]
    [InlineData(OutputFormat.BF16)]
    [InlineData(OutputFormat.F16)]
    public unsafe void Streaming_decodes_match_the_reference(OutputFormat format)
    {
        using var fixture = new Mxfp4Fixture(3000, separateFiles: true, seed: 8);
        long saved = ParallelDecoder.StreamingThresholdBytes;
        ParallelDecoder.StreamingThresholdBytes = 0;
        try
        {
            foreach (
                var (first, count) in new (long, long)[] { (0, fixture.ElementCount), (13, fixture.ElementCount - 40),
                (32 * 7, 32 * 1500 + 5) })
            {
                // Deliberately misaligned destination: the head and tail of each piece take the ordinary path.
                var actual = new byte[(count * format.BytesPerElement()) + 3];
                ParallelDecoder.Decode(fixture.Source, first, count, actual.AsSpan(3), format, 2, CancellationToken.None);
                Assert.Equal(fixture.Expected(format, first, count), actual[3..]);
            }
        }
        finally
        {
            ParallelDecoder.StreamingThresholdBytes = saved;
        }
    }

    [Theory]
    [InlineData(OutputFormat.F32)]
    [InlineData(OutputFormat.BF16)]
    [InlineData(OutputFormat.F16)]
    public unsafe void Streaming_decodes_into_line_aligned_memory_match_the_reference(OutputFormat format)
    {
        // Whole groups at a line: the kernel streams straight from its registers. A range starting mid-group, its
        // output placed so that the later chunks start on lines: a partial first chunk through the staging buffer,
        // then straight from the kernel. And on a pool of 5 workers, so parts start in the middle of the tensor.
        using var fixture = new Mxfp4Fixture(20000, separateFiles: false, seed: 9);
        using var pool = new WorkerPool(5);
        long saved = ParallelDecoder.StreamingThresholdBytes;
        ParallelDecoder.StreamingThresholdBytes = 0;
        int bytesPerElement = format.BytesPerElement();
        long bytes = fixture.ElementCount * bytesPerElement;
        byte* region = (byte*)NativeMemory.AlignedAlloc((nuint)(bytes + 256), 64);
        try
        {
            foreach (var (first, count, threads) in new (long, long, int)[]
            {
                (0, fixture.ElementCount, 2), (13, fixture.ElementCount - 40, 2), (32 * 7, (32 * 15000) + 5, 5),
            })
            {
                int head = (int)((64 - (first * bytesPerElement % 64)) % 64);
                var all = new Span<byte>(region, (int)bytes + 256);
                all.Fill(0xEE);
                ParallelDecoder.Decode(pool, fixture.Source, first, count, region + head, count * bytesPerElement, format, threads,
                    CancellationToken.None);
                Assert.Equal(fixture.Expected(format, first, count), all.Slice(head, (int)(count * bytesPerElement)).ToArray());
                Assert.Equal(0xEE, all[head + (int)(count * bytesPerElement)]);
                Assert.True(head == 0 || all[head - 1] == 0xEE);
            }
        }
        finally
        {
            NativeMemory.AlignedFree(region);
            ParallelDecoder.StreamingThresholdBytes = saved;
        }
    }
}
