using Mxfp4.Core.Conversion;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tests.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.Conversion;

/// <summary>
/// A checkpoint encoding allocates two chunks, one tensor's scales (1/32 byte per element) and the reading encoder's
/// tile per worker, in both layouts (the Transformers layout encodes from 32-row tiles, no expert-sized buffers) — not
/// the tensor. Measured as all managed bytes allocated during the encoding, so the test runs alone.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class QuantizationMemoryTests
{
    private const int Experts = 16;
    private const int In = 256;
    private const int Out = 1024;
    private const int ChunkBytes = 512 << 10;
    private const long Slack = 1 << 20;

    [Theory]
    [InlineData(ConversionLayout.Natural)]
    [InlineData(ConversionLayout.Transformers)]
    public void Allocations_stay_within_two_chunks_the_scales_and_the_tiles(ConversionLayout layout)
    {
        using var temp = new TempDirectory();
        string source = WriteCheckpoint(temp.File("in"));
        using var checkpoint = Checkpoint.Open(source);
        var plan = QuantizationPlan.Create(checkpoint, temp.File("out"), new ConversionOptions { Layout = layout, ChunkBytes = ChunkBytes },
            new QuantizationOptions());
        long inputBytes = (long)Experts * In * Out * 2;
        long scalesBytes = (long)Experts * In * Out / 32;
        long tiles = Environment.ProcessorCount * (long)ReadingEncoder.TileBytes;

        long before = GC.GetTotalAllocatedBytes(precise: true);
        var result = CheckpointConverter.Execute(checkpoint, plan);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        long bound = (2 * ChunkBytes) + scalesBytes + tiles + Slack;
        Assert.True(inputBytes >= 8L << 20, $"input {inputBytes}");
        Assert.True(allocated < bound, $"allocated {allocated:N0} bytes encoding {inputBytes:N0}; bound {bound:N0}");
        Assert.Equal(1, result.TensorsConverted);
        Assert.Equal(plan.TotalBytes, new FileInfo(temp.File("out/model.safetensors")).Length);
    }

    /// <summary>One dense gpt-oss expert tensor [16, 256, 1024] of BF16 (read as [E, in, out] by the Transformers layout) and a small
    /// one.</summary>
    private static string WriteCheckpoint(string directory)
    {
        Directory.CreateDirectory(directory);
        var layout = SafetensorsLayout.Create(
        [
            new TensorSpec("model.layers.0.mlp.experts.gate_up_proj", SafetensorsDType.BF16, [Experts, In, Out]),
            new TensorSpec("model.norm.weight", SafetensorsDType.BF16, [In]),
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
                stream.Write(buffer, 0, count);
            }
        });
        return directory;
    }
}
