using System.Runtime.InteropServices;
using Mxfp4.Core.Decoding;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Tests.Tensors;
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
}
