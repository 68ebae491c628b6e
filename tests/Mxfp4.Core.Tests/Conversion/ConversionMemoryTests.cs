using Mxfp4.Core.Conversion;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tests.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.Conversion;

/// <summary>
/// Conversion memory is bounded by two chunks (one decoding, one being written) and (for the Transformers layout)
/// one expert's two buffers, not by the
/// tensor: an 8 MiB output must allocate far less than that. Measured as all managed bytes allocated by every thread
/// during the conversion, so the test runs alone.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class ConversionMemoryTests
{
    private const int Experts = 16;
    private const int Rows = 256;
    private const int Groups = 32;
    private const int ChunkBytes = 512 << 10;
    private const long Slack = 1 << 20;

    [Theory]
    [InlineData(ConversionLayout.Natural)]
    [InlineData(ConversionLayout.Transformers)]
    public void Allocations_stay_within_two_chunks_and_one_expert(ConversionLayout layout)
    {
        using var temp = new TempDirectory();
        string source = WriteCheckpoint(temp.File("in"));
        using var checkpoint = Checkpoint.Open(source);
        var plan = ConversionPlan.Create(checkpoint, temp.File("out"), new ConversionOptions { Layout = layout, ChunkBytes = ChunkBytes });
        long outputBytes = plan.TotalBytes;
        long expertBytes = (long)Rows * Groups * 32 * 2;

        long before = GC.GetTotalAllocatedBytes(precise: true);
        CheckpointConverter.Execute(checkpoint, plan);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        // Natural: double-buffered chunks. Transposed: one expert decoded and transposed into a second buffer.
        long bound = (2 * ChunkBytes) + (layout == ConversionLayout.Transformers ? 2 * expertBytes : 0) + Slack;
        Assert.True(outputBytes >= 8L << 20, $"output {outputBytes}");
        Assert.True(allocated < bound, $"allocated {allocated:N0} bytes converting {outputBytes:N0}; bound {bound:N0}");
        Assert.Equal(outputBytes, new FileInfo(temp.File("out/model.safetensors")).Length);
    }

    /// <summary>One gpt-oss-named expert tensor [16, 256, 32*32] plus a small BF16 tensor, streamed to disk.</summary>
    private static string WriteCheckpoint(string directory)
    {
        Directory.CreateDirectory(directory);
        var layout = SafetensorsLayout.Create(
        [
            new TensorSpec("model.layers.0.mlp.experts.gate_up_proj_blocks", SafetensorsDType.U8, [Experts, Rows, Groups, 16]),
            new TensorSpec("model.layers.0.mlp.experts.gate_up_proj_scales", SafetensorsDType.U8, [Experts, Rows, Groups]),
            new TensorSpec("model.norm.weight", SafetensorsDType.BF16, [Rows]),
        ]);
        var random = new Random(7);
        var buffer = new byte[1 << 20];
        SafetensorsWriter.WriteFile(Path.Combine(directory, "model.safetensors"), layout, (index, stream) =>
        {
            long length = layout.Entries[index].End - layout.Entries[index].Begin;
            for (long done = 0; done < length; done += buffer.Length)
            {
                int count = (int)Math.Min(buffer.Length, length - done);
                random.NextBytes(buffer.AsSpan(0, count));
                if (index == 1)
                {
                    buffer.AsSpan(0, count).Fill(120);
                }

                stream.Write(buffer, 0, count);
            }
        });
        return directory;
    }
}
