using Mxfp4.Core.Safetensors;

namespace Mxfp4.Bench.Limits;

/// <summary>
/// A gpt-oss-20b-shaped slice written to disk in Hugging Face naming: per layer one shard with full-size expert
/// weights (gate_up_proj [E, 5760, 90, 16] and down_proj [E, 2880, 90, 16] blocks with their scales and BF16 biases)
/// and a few BF16 attention/router tensors. Written tensor by tensor through a reused buffer, never whole in memory.
/// Block bytes are uniform random; scales lie in 118..127, as trained experts' do.
/// </summary>
internal static class ConversionCheckpoint
{
    public const int Layers = 2;
    private const int Hidden = 2880;
    private const int Intermediate = 2880;
    private const int Groups = Hidden / 32;
    private const int QueryWidth = 64 * 64;
    private const int BufferBytes = 16 << 20;

    /// <summary>Writes the shards into <paramref name="directory"/>; returns the MXFP4 bytes (blocks and scales) written.</summary>
    public static long Write(string directory, int experts)
    {
        Directory.CreateDirectory(directory);
        var random = new Random(20250805);
        var buffer = new byte[BufferBytes];
        long mxfp4Bytes = 0;
        for (int layer = 0; layer < Layers; layer++)
        {
            string p = $"model.layers.{layer}.";
            var tensors = new List<TensorSpec>
            {
                new(p + "input_layernorm.weight", SafetensorsDType.BF16, [Hidden]),
                new(p + "self_attn.q_proj.weight", SafetensorsDType.BF16, [QueryWidth, Hidden]),
                new(p + "mlp.router.weight", SafetensorsDType.BF16, [experts, Hidden]),
                new(p + "mlp.experts.gate_up_proj_blocks", SafetensorsDType.U8, [experts, 2 * Intermediate, Groups, 16]),
                new(p + "mlp.experts.gate_up_proj_scales", SafetensorsDType.U8, [experts, 2 * Intermediate, Groups]),
                new(p + "mlp.experts.gate_up_proj_bias", SafetensorsDType.BF16, [experts, 2 * Intermediate]),
                new(p + "mlp.experts.down_proj_blocks", SafetensorsDType.U8, [experts, Hidden, Intermediate / 32, 16]),
                new(p + "mlp.experts.down_proj_scales", SafetensorsDType.U8, [experts, Hidden, Intermediate / 32]),
                new(p + "mlp.experts.down_proj_bias", SafetensorsDType.BF16, [experts, Hidden]),
            };
            mxfp4Bytes += tensors.Where(t => t.DType == SafetensorsDType.U8).Sum(t => t.ByteLength);
            var layout = SafetensorsLayout.Create(tensors, new Dictionary<string, string> { ["format"] = "pt" });
            string path = Path.Combine(directory, $"model-{layer + 1:D5}-of-{Layers:D5}.safetensors");
            SafetensorsWriter.WriteFile(path, layout, (index, stream) =>
            {
                var (spec, begin, end) = layout.Entries[index];
                bool scales = spec.Name.EndsWith("_scales", StringComparison.Ordinal);
                for (long done = 0; done < end - begin;)
                {
                    int count = (int)Math.Min(buffer.Length, end - begin - done);
                    var chunk = buffer.AsSpan(0, count);
                    random.NextBytes(chunk);
                    if (scales)
                    {
                        foreach (ref byte scale in chunk)
                        {
                            scale = (byte)(118 + (scale % 10));
                        }
                    }

                    stream.Write(chunk);
                    done += count;
                }
            });
        }

        return mxfp4Bytes;
    }
}
