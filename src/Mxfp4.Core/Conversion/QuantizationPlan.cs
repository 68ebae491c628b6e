using System.Text.Json;
using System.Text.Json.Nodes;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Core.Conversion;

/// <summary>
/// Plans a checkpoint encoding (the reverse of a conversion): the selected floating tensors become MXFP4 pairs, blocks
/// <c>[..., K/32, 16]</c> then scales <c>[..., K/32]</c> in place of the tensor, everything else is copied byte for
/// byte; the index is rewritten and config.json gains transformers' <c>quantization_config</c>. The plan is a
/// <see cref="ConversionPlan"/>, so <see cref="CheckpointConverter"/> writes it with the same atomicity and memory
/// bounds. Every selected tensor is checked before any byte is written.
/// </summary>
public static class QuantizationPlan
{
    /// <summary>
    /// The modules transformers keeps unquantized in gpt-oss (its published configs' <c>modules_to_not_convert</c>):
    /// everything but the expert weights.
    /// </summary>
    private static readonly string[] GptOssModulesToNotConvert =
        ["model.layers.*.self_attn", "model.layers.*.mlp.router", "model.embed_tokens", "lm_head"];

    public static ConversionPlan Create(Checkpoint source, string destination, ConversionOptions options, QuantizationOptions quantization)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(quantization);
        string target = Path.GetFullPath(destination);
        ConversionPlan.CheckDestination(source, target, options);
        var selects = quantization.Selects ?? IsExpertWeight;
        var shards = new List<ShardPlan>();
        foreach (var shardPath in source.ShardPaths)
        {
            var header = source.GetHeader(shardPath);
            var tensors = new List<PlannedTensor>();
            foreach (var tensor in header.Tensors)
            {
                if (!selects(tensor.Name))
                {
                    tensors.Add(PlannedTensor.Copy(tensor));
                    continue;
                }

                bool transpose = options.Layout == ConversionLayout.Transformers
                    && IsTransformersExpert(tensor.Name)
                    && tensor.Shape.Length == 3;
                var (blocksShape, scalesShape) = PairShapes(tensor, transpose);
                var (blocksName, scalesName) = PairNames(tensor.Name, quantization.NamingStyle);
                tensors.Add(PlannedTensor.Quantized(
                    new TensorSpec(blocksName, SafetensorsDType.U8, blocksShape),
                    new QuantizedTensor(tensor, quantization.Rule, transpose, false)));
                tensors.Add(PlannedTensor.Quantized(
                    new TensorSpec(scalesName, SafetensorsDType.U8, scalesShape),
                    new QuantizedTensor(tensor, quantization.Rule, transpose, true)));
            }

            var layout = SafetensorsLayout.Create(tensors.Select(t => t.Spec).ToList(), header.Metadata);
            shards.Add(new ShardPlan(shardPath, Path.Combine(target, Path.GetFileName(shardPath)), tensors, layout));
        }

        var otherFiles = ConversionPlan.ListOtherFiles(source, options);
        string? indexTarget = source.IndexPath is null ? null : Path.Combine(target, Path.GetFileName(source.IndexPath));
        ConversionPlan.CheckOutputs(shards, indexTarget, source.IndexPath, target, otherFiles);
        var indexMetadata = source.IndexPath is null ? [] : ConversionPlan.ReadIndexMetadata(source.IndexPath);
        bool quantizes = shards.Any(s => s.ConvertedCount > 0);
        byte[]? config = quantizes
            && quantization.NamingStyle == Mxfp4NamingStyle.HuggingFace
            && otherFiles.FirstOrDefault(ConversionPlan.IsConfig) is { } path
            ? WithQuantization(path)
            : null;
        return new ConversionPlan(target, options, shards, otherFiles, indexTarget, source.IndexPath, indexMetadata, config);
    }

    /// <summary>The gpt-oss expert weights: <c>*.mlp.experts.gate_up_proj</c>/<c>down_proj</c> (Hugging Face) and
    /// <c>*.mlp.mlp1_weight</c>/<c>mlp2_weight</c> (original).</summary>
    public static bool IsExpertWeight(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return IsTransformersExpert(name)
            || name.EndsWith(".mlp.mlp1_weight", StringComparison.Ordinal)
            || name.EndsWith(".mlp.mlp2_weight", StringComparison.Ordinal);
    }

    /// <summary>The blocks and scales names of a quantized <paramref name="name"/>.</summary>
    public static (string Blocks, string Scales) PairNames(string name, Mxfp4NamingStyle style)
        => BlockFormat.Mxfp4.TensorNames(name, style);

    /// <summary>
    /// The blocks and scales shapes of <paramref name="tensor"/> encoded along its last axis (after moving the experts'
    /// <c>[E, in, out]</c> to <c>[E, out, in]</c> when <paramref name="transpose"/>); refuses what cannot be encoded:
    /// a dtype other than F32, BF16 and F16 (<c>UnsupportedDType</c>), a last axis that is not a multiple of 32 or a
    /// scalar (<c>NotBlockAligned</c>).
    /// </summary>
    public static (long[] Blocks, long[] Scales) PairShapes(TensorInfo tensor, bool transpose)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.DType is not (SafetensorsDType.F32 or SafetensorsDType.BF16 or SafetensorsDType.F16))
        {
            throw new Mxfp4Exception(
                ErrorIds.UnsupportedDType,
                Mxfp4ErrorCategory.InvalidArgument,
                $"Tensor '{tensor.Name}' in '{tensor.Path}' is {tensor.DType}; only F32, BF16 and F16 tensors can be encoded to MXFP4.",
                tensor.Name);
        }

        long[] shape = transpose && tensor.Shape.Length == 3 ? [tensor.Shape[0], tensor.Shape[2], tensor.Shape[1]] : tensor.Shape;
        if (shape.Length == 0 || shape[^1] % BlockFormat.Mxfp4.BlockElements != 0)
        {
            string axis = shape.Length == 0 ? "it is a scalar" : $"its {(transpose ? "input axis" : "last axis")} has {shape[^1]} elements";
            throw new Mxfp4Exception(
                ErrorIds.NotBlockAligned,
                Mxfp4ErrorCategory.InvalidArgument,
                $"Tensor '{tensor.Name}' [{string.Join(", ", tensor.Shape)}] in '{tensor.Path}' cannot be encoded: {axis}, "
                    + $"not a multiple of {BlockFormat.Mxfp4.BlockElements}.",
                tensor.Name);
        }

        long groups = shape[^1] / BlockFormat.Mxfp4.BlockElements;
        long[] scales = [.. shape[..^1], groups];
        long[] blocks = [.. scales, BlockFormat.Mxfp4.BlockBytes];
        return (blocks, scales);
    }

    /// <summary>transformers' dense gpt-oss expert weights, stored as <c>[E, in, out]</c>.</summary>
    private static bool IsTransformersExpert(string name)
        => name.EndsWith(".mlp.experts.gate_up_proj", StringComparison.Ordinal)
            || name.EndsWith(".mlp.experts.down_proj", StringComparison.Ordinal);

    /// <summary>The config with transformers' gpt-oss <c>quantization_config</c>, which makes loaders read the pairs as MXFP4.</summary>
    private static byte[] WithQuantization(string path)
    {
        var config = ConversionPlan.ReadConfig(path);
        if (config is JsonObject root)
        {
            root["quantization_config"] = new JsonObject
            {
                ["modules_to_not_convert"] = new JsonArray(GptOssModulesToNotConvert.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
                ["quant_method"] = "mxfp4",
            };
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            (config ?? JsonValue.Create((string?)null))!.WriteTo(json);
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}
