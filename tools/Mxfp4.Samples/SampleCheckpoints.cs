using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Samples;

/// <summary>
/// The tiny gpt-oss-shaped checkpoints under samples/: 2 layers, 4 experts, hidden size 64, vocabulary 256. The
/// same weights are written twice: in Hugging Face naming as two shards with an index (layer 1's expert blocks and
/// scales deliberately sit in different shards, as real checkpoints allow) and in original gpt-oss naming as one file.
/// </summary>
public static class SampleCheckpoints
{
    public const string HuggingFaceFolder = "gpt-oss-tiny";
    public const string OriginalFolder = "gpt-oss-tiny-original";

    private const int Layers = 2;
    private const int Experts = 4;
    private const int Hidden = 64;
    private const int Intermediate = 64;
    private const int Vocabulary = 256;
    private const int HeadDim = 16;
    private const int QueryHeads = 4;
    private const int KeyValueHeads = 2;

    private static readonly Dictionary<string, string> Metadata = new() { ["format"] = "pt" };

    public static void Write(string directory)
    {
        var weights = Generate();
        WriteHuggingFace(Path.Combine(directory, HuggingFaceFolder), weights);
        WriteOriginal(Path.Combine(directory, OriginalFolder), weights);
    }

    private static LayerWeights[] Generate()
    {
        var random = new Determinism(0x6D78_6670_3421UL);
        return Enumerable.Range(0, Layers).Select(_ => LayerWeights.Create(random)).ToArray();
    }

    private static void WriteHuggingFace(string directory, LayerWeights[] layers)
    {
        Directory.CreateDirectory(directory);
        var random = new Determinism(0x656D_6265_6464UL);
        var embedding = Bf16(random, Vocabulary * Hidden);
        var head = Bf16(random, Vocabulary * Hidden);
        var norm = Bf16Ones(Hidden);

        var shard1 = new List<(TensorSpec,
            byte[])> { (new TensorSpec("model.embed_tokens.weight", SafetensorsDType.BF16, [Vocabulary, Hidden]), embedding) };
        var shard2 = new List<(TensorSpec, byte[])>();
        for (int n = 0; n < Layers; n++)
        {
            var l = layers[n];
            string p = $"model.layers.{n}.";
            var attention = new List<(TensorSpec, byte[])>
            {
                (new TensorSpec(p + "input_layernorm.weight", SafetensorsDType.BF16, [Hidden]), l.AttentionNorm),
                (new TensorSpec(p + "self_attn.q_proj.weight", SafetensorsDType.BF16, [QueryHeads * HeadDim, Hidden]), l.Query),
                (new TensorSpec(p + "self_attn.k_proj.weight", SafetensorsDType.BF16, [KeyValueHeads * HeadDim, Hidden]), l.Key),
                (new TensorSpec(p + "self_attn.v_proj.weight", SafetensorsDType.BF16, [KeyValueHeads * HeadDim, Hidden]), l.Value),
                (new TensorSpec(p + "self_attn.o_proj.weight", SafetensorsDType.BF16, [Hidden, QueryHeads * HeadDim]), l.Output),
                (new TensorSpec(p + "self_attn.sinks", SafetensorsDType.BF16, [QueryHeads]), l.Sinks),
                (new TensorSpec(p + "post_attention_layernorm.weight", SafetensorsDType.BF16, [Hidden]), l.MlpNorm),
                (new TensorSpec(p + "mlp.router.weight", SafetensorsDType.BF16, [Experts, Hidden]), l.Router),
                (new TensorSpec(p + "mlp.router.bias", SafetensorsDType.BF16, [Experts]), l.RouterBias),
            };
            var experts = new List<(TensorSpec, byte[])>
            {
                (new TensorSpec(p + "mlp.experts.gate_up_proj_blocks", SafetensorsDType.U8, [Experts, 2 * Intermediate, Hidden / 32, 16]),
                    l.GateUpBlocks),
                (new TensorSpec(p + "mlp.experts.gate_up_proj_scales", SafetensorsDType.U8, [Experts, 2 * Intermediate, Hidden / 32]),
                    l.GateUpScales),
                (new TensorSpec(p + "mlp.experts.gate_up_proj_bias", SafetensorsDType.BF16, [Experts, 2 * Intermediate]), l.GateUpBias),
                (new TensorSpec(p + "mlp.experts.down_proj_blocks", SafetensorsDType.U8, [Experts, Hidden, Intermediate / 32, 16]),
                    l.DownBlocks),
                (new TensorSpec(p + "mlp.experts.down_proj_scales", SafetensorsDType.U8, [Experts, Hidden, Intermediate / 32]),
                    l.DownScales),
                (new TensorSpec(p + "mlp.experts.down_proj_bias", SafetensorsDType.BF16, [Experts, Hidden]), l.DownBias),
            };

            (n == 0 ? shard1 : shard2).AddRange(attention);
            if (n == 0)
            {
                shard1.AddRange(experts);
            }
            else
            {
                // Blocks in the first shard, their scales in the second: pairing must work across shards.
                shard1.Add(experts[0]);
                shard2.AddRange(experts.Skip(1));
            }
        }

        shard2.Add((new TensorSpec("model.norm.weight", SafetensorsDType.BF16, [Hidden]), norm));
        shard2.Add((new TensorSpec("lm_head.weight", SafetensorsDType.BF16, [Vocabulary, Hidden]), head));

        const string Shard1 = "model-00001-of-00002.safetensors";
        const string Shard2 = "model-00002-of-00002.safetensors";
        SafetensorsWriter.WriteFile(Path.Combine(directory, Shard1), shard1, Metadata);
        SafetensorsWriter.WriteFile(Path.Combine(directory, Shard2), shard2, Metadata);
        WriteIndex(Path.Combine(directory, "model.safetensors.index.json"), [(Shard1, shard1), (Shard2, shard2)]);
        File.WriteAllText(Path.Combine(directory, "config.json"), Config(), new UTF8Encoding(false));
    }

    private static void WriteOriginal(string directory, LayerWeights[] layers)
    {
        Directory.CreateDirectory(directory);
        var random = new Determinism(0x656D_6265_6464UL);
        var embedding = Bf16(random, Vocabulary * Hidden);
        var head = Bf16(random, Vocabulary * Hidden);
        var tensors = new List<(TensorSpec,
            byte[])> { (new TensorSpec("embedding.weight", SafetensorsDType.BF16, [Vocabulary, Hidden]), embedding) };
        for (int n = 0; n < Layers; n++)
        {
            var l = layers[n];
            string p = $"block.{n}.";
            tensors.AddRange(
            [
                (new TensorSpec(p + "attn.norm.scale", SafetensorsDType.BF16, [Hidden]), l.AttentionNorm),
                (new TensorSpec(p + "attn.qkv.weight", SafetensorsDType.BF16, [(QueryHeads + (2 * KeyValueHeads)) * HeadDim, Hidden]),
                    [.. l.Query, .. l.Key, .. l.Value]),
                (new TensorSpec(p + "attn.sinks", SafetensorsDType.BF16, [QueryHeads]), l.Sinks),
                (new TensorSpec(p + "attn.out.weight", SafetensorsDType.BF16, [Hidden, QueryHeads * HeadDim]), l.Output),
                (new TensorSpec(p + "mlp.norm.scale", SafetensorsDType.BF16, [Hidden]), l.MlpNorm),
                (new TensorSpec(p + "mlp.gate.weight", SafetensorsDType.BF16, [Experts, Hidden]), l.Router),
                (new TensorSpec(p + "mlp.gate.bias", SafetensorsDType.BF16, [Experts]), l.RouterBias),
                (new TensorSpec(p + "mlp.mlp1_weight.blocks", SafetensorsDType.U8, [Experts, 2 * Intermediate, Hidden / 32, 16]),
                    l.GateUpBlocks),
                (new TensorSpec(p + "mlp.mlp1_weight.scales", SafetensorsDType.U8, [Experts, 2 * Intermediate, Hidden / 32]),
                    l.GateUpScales),
                (new TensorSpec(p + "mlp.mlp1_bias", SafetensorsDType.BF16, [Experts, 2 * Intermediate]), l.GateUpBias),
                (new TensorSpec(p + "mlp.mlp2_weight.blocks", SafetensorsDType.U8, [Experts, Hidden, Intermediate / 32, 16]), l.DownBlocks),
                (new TensorSpec(p + "mlp.mlp2_weight.scales", SafetensorsDType.U8, [Experts, Hidden, Intermediate / 32]), l.DownScales),
                (new TensorSpec(p + "mlp.mlp2_bias", SafetensorsDType.BF16, [Experts, Hidden]), l.DownBias),
            ]);
        }

        tensors.Add((new TensorSpec("norm.scale", SafetensorsDType.BF16, [Hidden]), Bf16Ones(Hidden)));
        tensors.Add((new TensorSpec("unembedding.weight", SafetensorsDType.BF16, [Vocabulary, Hidden]), head));
        SafetensorsWriter.WriteFile(Path.Combine(directory, "model.safetensors"), tensors, Metadata);
    }

    private static void WriteIndex(string path, (string File, List<(TensorSpec Spec, byte[] Data)> Tensors)[] shards)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartObject("metadata");
            json.WriteNumber("total_size", shards.Sum(s => s.Tensors.Sum(t => (long)t.Data.Length)));
            json.WriteEndObject();
            json.WriteStartObject("weight_map");
            foreach (var (file, tensors) in shards)
            {
                foreach (var (spec, _) in tensors)
                {
                    json.WriteString(spec.Name, file);
                }
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        File.WriteAllBytes(path, buffer.ToArray());
    }

    private static string Config() => $$"""
        {
          "architectures": ["GptOssForCausalLM"],
          "model_type": "gpt_oss",
          "hidden_size": {{Hidden}},
          "intermediate_size": {{Intermediate}},
          "num_hidden_layers": {{Layers}},
          "num_local_experts": {{Experts}},
          "num_experts_per_tok": 2,
          "num_attention_heads": {{QueryHeads}},
          "num_key_value_heads": {{KeyValueHeads}},
          "head_dim": {{HeadDim}},
          "vocab_size": {{Vocabulary}},
          "swiglu_limit": 7.0,
          "torch_dtype": "bfloat16",
          "quantization_config": {
            "modules_to_not_convert": ["model.layers.*.self_attn", "model.layers.*.mlp.router", "model.embed_tokens", "lm_head"],
            "quant_method": "mxfp4"
          }
        }

        """;

    internal static byte[] Bf16(Determinism random, int count, float amplitude = 0.125f)
    {
        var bytes = new byte[count * 2];
        for (int i = 0; i < count; i++)
        {
            // The top half of a float32 is a valid BF16 (truncation); sample weights need randomness, not rounding.
            uint bits = BitConverter.SingleToUInt32Bits(random.NextSigned() * amplitude);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), (ushort)(bits >> 16));
        }

        return bytes;
    }

    private static byte[] Bf16Ones(int count)
    {
        var bytes = new byte[count * 2];
        for (int i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), 0x3F80);
        }

        return bytes;
    }

    /// <summary>One layer's weights, shared by both naming styles.</summary>
    private sealed record LayerWeights(
        byte[] AttentionNorm, byte[] Query, byte[] Key, byte[] Value, byte[] Output, byte[] Sinks, byte[] MlpNorm, byte[] Router,
            byte[] RouterBias,
        byte[] GateUpBlocks, byte[] GateUpScales, byte[] GateUpBias, byte[] DownBlocks, byte[] DownScales, byte[] DownBias)
    {
        internal static LayerWeights Create(Determinism r) => new(
            Bf16Ones(Hidden),
            Bf16(r, QueryHeads * HeadDim * Hidden),
            Bf16(r, KeyValueHeads * HeadDim * Hidden),
            Bf16(r, KeyValueHeads * HeadDim * Hidden),
            Bf16(r, Hidden * QueryHeads * HeadDim),
            Bf16(r, QueryHeads),
            Bf16Ones(Hidden),
            Bf16(r, Experts * Hidden),
            Bf16(r, Experts),
            Bytes(r, Experts * 2 * Intermediate * (Hidden / 32) * 16),
            Scales(r, Experts * 2 * Intermediate * (Hidden / 32)),
            Bf16(r, Experts * 2 * Intermediate, 0.0625f),
            Bytes(r, Experts * Hidden * (Intermediate / 32) * 16),
            Scales(r, Experts * Hidden * (Intermediate / 32)),
            Bf16(r, Experts * Hidden, 0.0625f));

        private static byte[] Bytes(Determinism r, int count)
        {
            var bytes = new byte[count];
            for (int i = 0; i < count; i++)
            {
                bytes[i] = r.NextByte();
            }

            return bytes;
        }

        /// <summary>Scales around 2^-5 .. 2^-2, the range trained gpt-oss experts use.</summary>
        private static byte[] Scales(Determinism r, int count)
        {
            var scales = new byte[count];
            for (int i = 0; i < count; i++)
            {
                scales[i] = (byte)(122 + (r.NextByte() % 4));
            }

            return scales;
        }
    }
}
