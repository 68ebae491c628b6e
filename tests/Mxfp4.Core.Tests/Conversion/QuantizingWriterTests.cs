using Mxfp4.Core.Conversion;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Quantization;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;
using Mxfp4.Core.Tests.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.Conversion;

/// <summary>
/// Checkpoint encodes through the reading encoder, compared byte for byte with <see cref="Mxfp4EncoderReference"/> run on
/// the source values gathered by the test (the Transformers layout's columns picked out one by one): every source dtype,
/// both layouts, shapes whose experts, rows and columns are not multiples of the tile or of the 32-column kernel, values
/// with NaN, ±Inf, zeros and blocks tiny enough for the kernels' reference fallback, and pipeline buffers from a few
/// blocks (an output row split across buffers) to the default.
/// </summary>
public sealed class QuantizingWriterTests
{
    private const string Expert = "model.layers.0.mlp.experts.gate_up_proj";
    private const string Other = "model.layers.0.mlp.experts.down_proj";

    public static TheoryData<SafetensorsDType, ConversionLayout, int> Cases()
    {
        var data = new TheoryData<SafetensorsDType, ConversionLayout, int>();
        foreach (var dtype in new[] { SafetensorsDType.BF16, SafetensorsDType.F16, SafetensorsDType.F32 })
        {
            foreach (var layout in new[] { ConversionLayout.Natural, ConversionLayout.Transformers })
            {
                foreach (int chunk in new[] { 128, 4096, 16 << 20 })
                {
                    data.Add(dtype, layout, chunk);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encoded_checkpoints_match_the_reference(SafetensorsDType dtype, ConversionLayout layout, int chunkBytes)
    {
        using var temp = new TempDirectory();

        // [E, in, out] = [3, 96, 77]: 3 bands of 32 input rows, 77 columns (two 32-column groups and a tail); [2, 64, 13]:
        // fewer columns than one vector. The natural layout stores them as [E, out, in].
        bool transpose = layout == ConversionLayout.Transformers;
        var tensors = new[] { (Expert, Shape(3, 96, 77, transpose)), (Other, Shape(2, 64, 13, transpose)) };
        var values = tensors.ToDictionary(t => t.Item1, t => Values(t.Item2.Aggregate(1L, (a, b) => a * b), dtype, seed: t.Item1.Length));
        string source = Write(temp.File("in"), dtype, tensors, values);

        Encode(source, temp.File("out"), layout, chunkBytes);

        using var output = Checkpoint.Open(temp.File("out"));
        foreach (var (name, shape) in tensors)
        {
            var (blocks, scales) = Expected(values[name], shape, transpose);
            Assert.Equal(blocks, Bytes(output, name + "_blocks"));
            Assert.Equal(scales, Bytes(output, name + "_scales"));
        }
    }

    /// <summary>Columns wider than a tile (BF16: 8192) are read row by row in slices; the result is the same.</summary>
    [Fact]
    public void Experts_wider_than_a_tile_are_encoded_in_column_slices()
    {
        using var temp = new TempDirectory();
        long[] shape = [1, 64, 8195];
        var values = Values(64 * 8195, SafetensorsDType.BF16, seed: 3);
        string source = Write(temp.File("in"), SafetensorsDType.BF16, [(Expert, shape)], new() { [Expert] = values });

        Encode(source, temp.File("out"), ConversionLayout.Transformers, 16 << 20);

        using var output = Checkpoint.Open(temp.File("out"));
        var (blocks, scales) = Expected(values, shape, transpose: true);
        Assert.Equal(blocks, Bytes(output, Expert + "_blocks"));
        Assert.Equal(scales, Bytes(output, Expert + "_scales"));
    }

    [Theory]
    [InlineData(ConversionLayout.Natural)]
    [InlineData(ConversionLayout.Transformers)]
    public void Cancelling_mid_pipeline_leaves_no_output(ConversionLayout layout)
    {
        using var temp = new TempDirectory();
        long[] shape = [8, 64, 256];
        string source = Write(temp.File("in"), SafetensorsDType.BF16, [(Expert, shape)],
            new() { [Expert] = Values(8 * 64 * 256, SafetensorsDType.BF16, seed: 5) });
        string destination = temp.File("out");
        using var cancellation = new CancellationTokenSource();
        int reports = 0;

        Assert.ThrowsAny<OperationCanceledException>(() => Encode(source, destination, layout, 4096, _ =>
        {
            if (++reports == 3)
            {
                cancellation.Cancel();
            }
        }, cancellation.Token));

        Assert.True(reports >= 3);
        Assert.False(Directory.Exists(destination));
    }

    /// <summary>A read that comes up short on a worker thread is the same SourceChanged, and nothing is left.</summary>
    [Theory]
    [InlineData(ConversionLayout.Natural)]
    [InlineData(ConversionLayout.Transformers)]
    public void A_source_truncated_mid_pipeline_gives_SourceChanged_and_no_output(ConversionLayout layout)
    {
        using var temp = new TempDirectory();
        long[] shape = [8, 64, 256];
        string source = Write(temp.File("in"), SafetensorsDType.BF16, [(Expert, shape)],
            new() { [Expert] = Values(8 * 64 * 256, SafetensorsDType.BF16, seed: 9) });
        string destination = temp.File("out");
        bool truncated = false;

        var error = Assert.Throws<Mxfp4Exception>(() => Encode(source, destination, layout, 4096, _ =>
        {
            if (!truncated)
            {
                // Another process, as in life: .NET's advisory locks would refuse a writer in this one.
                using var process = System.Diagnostics.Process.Start("truncate", ["-s", "4096", Path.Combine(source, "model.safetensors")]);
                process.WaitForExit();
                truncated = process.ExitCode == 0;
            }
        }));

        Assert.True(truncated);
        Assert.Equal("SourceChanged", error.ErrorId);
        Assert.False(Directory.Exists(destination));
    }

    private static long[] Shape(long experts, long inputs, long outputs, bool transpose)
        => transpose ? [experts, inputs, outputs] : [experts, outputs, inputs];

    private static void Encode(string source, string destination, ConversionLayout layout, int chunkBytes,
        Action<ConversionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        using var checkpoint = Checkpoint.Open(source, CancellationToken.None);
        var plan = QuantizationPlan.Create(checkpoint, destination, new ConversionOptions { Layout = layout, ChunkBytes = chunkBytes },
            new QuantizationOptions());
        CheckpointConverter.Execute(checkpoint, plan, null, progress, cancellationToken);
    }

    /// <summary>
    /// Random magnitudes over many binades, with every eighth block scaled to about 2^-128 to 2^-116 (scale bytes below 3
    /// go to the kernels' reference fallback),
    /// every eleventh all zeros or negative zeros, and a NaN, a +Inf and a -Inf somewhere; each exactly representable in
    /// <paramref name="dtype"/>.
    /// </summary>
    private static float[] Values(long count, SafetensorsDType dtype, int seed)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (long i = 0; i < count; i++)
        {
            long block = i / 32;
            float x = (float)((random.NextDouble() - 0.5) * Math.Pow(2, random.Next(-8, 9)));
            x = block % 11 == 5 ? (block % 2 == 0 ? 0f : -0f) : x;
            x = block % 8 == 3 && dtype != SafetensorsDType.F16 ? x * MathF.Pow(2, -120 - (int)(block % 5)) : x;
            values[i] = Representable(x, dtype);
        }

        values[random.NextInt64(count)] = float.NaN;
        values[random.NextInt64(count)] = float.PositiveInfinity;
        values[random.NextInt64(count)] = float.NegativeInfinity;
        return values;
    }

    private static float Representable(float x, SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.BF16 => BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(x) & 0xFFFF_0000),
        SafetensorsDType.F16 => (float)(Half)x,
        _ => x,
    };

    private static string Write(string directory, SafetensorsDType dtype, (string Name, long[] Shape)[] tensors,
        Dictionary<string, float[]> values)
    {
        Directory.CreateDirectory(directory);
        var layout = SafetensorsLayout.Create(tensors.Select(t => new TensorSpec(t.Name, dtype, t.Shape)).ToList());
        SafetensorsWriter.WriteFile(Path.Combine(directory, "model.safetensors"), layout, (index, stream) =>
        {
            foreach (float x in values[tensors[index].Name])
            {
                switch (dtype)
                {
                    case SafetensorsDType.BF16:
                        stream.Write(BitConverter.GetBytes((ushort)(BitConverter.SingleToUInt32Bits(x) >> 16)));
                        break;
                    case SafetensorsDType.F16:
                        stream.Write(BitConverter.GetBytes((Half)x));
                        break;
                    default:
                        stream.Write(BitConverter.GetBytes(x));
                        break;
                }
            }
        });
        return directory;
    }

    /// <summary>The reference's blocks and scales of each run of 32 along the last axis, or along <c>in</c> of [E, in, out].</summary>
    private static (byte[] Blocks, byte[] Scales) Expected(float[] values, long[] shape, bool transpose)
    {
        float[] ordered = values;
        if (transpose)
        {
            long experts = shape[0], rows = shape[1], columns = shape[2];
            ordered = new float[values.Length];
            for (long e = 0; e < experts; e++)
            {
                for (long r = 0; r < rows; r++)
                {
                    for (long c = 0; c < columns; c++)
                    {
                        ordered[(((e * columns) + c) * rows) + r] = values[(((e * rows) + r) * columns) + c];
                    }
                }
            }
        }

        var blocks = new byte[ordered.Length / 32 * Mxfp4Format.BlockBytes];
        var scales = new byte[ordered.Length / 32];
        Mxfp4EncoderReference.Encode(ordered, blocks, scales, ScaleRule.Up);
        return (blocks, scales);
    }

    private static byte[] Bytes(Checkpoint checkpoint, string name)
    {
        var tensor = checkpoint.Find(name) ?? throw new InvalidOperationException($"'{name}' is missing.");
        using var stream = File.OpenRead(tensor.Path);
        var bytes = new byte[tensor.ByteLength];
        stream.Position = tensor.DataOffset;
        stream.ReadExactly(bytes);
        return bytes;
    }
}
