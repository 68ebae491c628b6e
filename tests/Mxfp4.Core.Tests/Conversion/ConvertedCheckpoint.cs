using System.Text.Json;
using System.Text.Json.Nodes;
using Mxfp4.Core.Conversion;
using Mxfp4.Core.FileSystem;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.Conversion;

/// <summary>
/// Checks a converted checkpoint against its source, read independently: every shard reopened with the strict
/// reader, MXFP4 tensors against <see cref="Mxfp4Reference"/> on the raw blocks and scales bytes, every other tensor
/// against the source bytes, the index and config.json against the source's.
/// </summary>
internal static class ConvertedCheckpoint
{
    public static void AssertMatchesSource(string sourceDirectory, string destination, OutputFormat format, ConversionLayout layout)
    {
        var sourceFiles = Directory.GetFiles(sourceDirectory, "*.safetensors").Order(StringComparer.Ordinal).ToList();
        var sources = sourceFiles.Select(SafetensorsFile.Open).ToList();
        try
        {
            var byName = sources.SelectMany(f => f.Header.Tensors.Select(t => (File: f, Tensor: t))).ToDictionary(x => x.Tensor.Name,
                StringComparer.Ordinal);
            var written = new Dictionary<string, (string File, long Bytes)>(StringComparer.Ordinal);
            foreach (var source in sources)
            {
                string name = Path.GetFileName(source.Header.Path);
                using var output = SafetensorsFile.Open(Path.Combine(destination, name));
                Assert.Equal(0, output.Header.DataStart % 8);
                Assert.Equal(source.Header.Metadata.OrderBy(p => p.Key), output.Header.Metadata.OrderBy(p => p.Key));

                var expectedOrder = source.Header.Tensors.OrderBy(t => t.DataOffset)
                    .Where(t => PairedBlocksOf(t.Name, byName) is null)
                    .Select(t => BaseNameOfBlocks(t.Name, byName) ?? t.Name)
                    .ToList();
                var outputTensors = output.Header.Tensors.OrderBy(t => t.DataOffset).ToList();
                Assert.Equal(expectedOrder, outputTensors.Select(t => t.Name).ToList());

                foreach (var tensor in outputTensors)
                {
                    written.Add(tensor.Name, (name, tensor.ByteLength));
                    var actual = output.Map.GetSpan(tensor.DataOffset, checked((int)tensor.ByteLength));
                    if (byName.TryGetValue(tensor.Name, out var copied))
                    {
                        Assert.Equal(copied.Tensor.DType, tensor.DType);
                        Assert.Equal(copied.Tensor.Shape, tensor.Shape);
                        Assert.True(
                            actual.SequenceEqual(copied.File.Map.GetSpan(copied.Tensor.DataOffset, checked((int)copied.Tensor.ByteLength))),
                            $"{tensor.Name} differs from its source bytes.");
                    }
                    else
                    {
                        AssertDequantized(tensor, actual, byName, format, layout);
                    }
                }
            }

            AssertIndex(sourceDirectory, destination, written);
            AssertOtherFiles(sourceDirectory, destination, layout);
            Assert.Empty(Directory.GetFiles(destination, "*" + AtomicFile.TemporarySuffix, SearchOption.AllDirectories));
        }
        finally
        {
            sources.ForEach(s => s.Dispose());
        }
    }

    public static SafetensorsDType DTypeOf(OutputFormat format) => format switch
    {
        OutputFormat.F32 => SafetensorsDType.F32,
        OutputFormat.F16 => SafetensorsDType.F16,
        _ => SafetensorsDType.BF16,
    };

    /// <summary>The reference values of an MXFP4 pair in natural [..., G*32] order, from the raw stored bytes.</summary>
    public static byte[] ReferenceValues(SafetensorsFile blocksFile, TensorInfo blocks, SafetensorsFile scalesFile, TensorInfo scales,
        OutputFormat format)
    {
        var natural = new byte[checked((int)(scales.ElementCount * 32 * format.BytesPerElement()))];
        Mxfp4Reference.Dequantize(
            blocksFile.Map.GetSpan(blocks.DataOffset, checked((int)blocks.ByteLength)),
            scalesFile.Map.GetSpan(scales.DataOffset, checked((int)scales.ByteLength)),
            natural,
            format);
        return natural;
    }

    private static void AssertDequantized(TensorInfo tensor, ReadOnlySpan<byte> actual, Dictionary<string,
        (SafetensorsFile File, TensorInfo Tensor)> byName, OutputFormat format, ConversionLayout layout)
    {
        string separator = byName.ContainsKey(tensor.Name + "_blocks") ? "_" : ".";
        var (blocksFile, blocks) = byName[tensor.Name + separator + "blocks"];
        var (scalesFile, scales) = byName[tensor.Name + separator + "scales"];
        var natural = ReferenceValues(blocksFile, blocks, scalesFile, scales, format);
        var naturalShape = scales.Shape.ToArray();
        naturalShape[^1] *= 32;
        Assert.Equal(DTypeOf(format), tensor.DType);

        bool transposed = layout == ConversionLayout.Transformers
            && (tensor.Name.EndsWith(".mlp.experts.gate_up_proj", StringComparison.Ordinal)
                || tensor.Name.EndsWith(".mlp.experts.down_proj", StringComparison.Ordinal));
        if (!transposed)
        {
            Assert.Equal(naturalShape, tensor.Shape);
            Assert.True(actual.SequenceEqual(natural), $"{tensor.Name} differs from the reference.");
            return;
        }

        // [E, out, in] stored becomes [E, in, out]: element (e, i, o) of the output is element (e, o, i) of the natural tensor.
        long experts = naturalShape[0], outputs = naturalShape[1], inputs = naturalShape[2];
        Assert.Equal(new[] { experts, inputs, outputs }, tensor.Shape);
        int size = format.BytesPerElement();
        for (long e = 0; e < experts; e++)
        {
            for (long i = 0; i < inputs; i++)
            {
                for (long o = 0; o < outputs; o++)
                {
                    int at = checked((int)((((e * inputs) + i) * outputs) + o) * size);
                    int from = checked((int)((((e * outputs) + o) * inputs) + i) * size);
                    if (!actual.Slice(at, size).SequenceEqual(natural.AsSpan(from, size)))
                    {
                        Assert.Fail($"{tensor.Name}[{e}, {i}, {o}] is not natural element [{e}, {o}, {i}].");
                    }
                }
            }
        }
    }

    /// <summary>The base name when <paramref name="name"/> is a blocks tensor whose scales exist.</summary>
    private static string? BaseNameOfBlocks(string name, Dictionary<string, (SafetensorsFile, TensorInfo)> byName)
    {
        foreach (var (blocks, scales) in new[] { ("_blocks", "_scales"), (".blocks", ".scales") })
        {
            if (name.EndsWith(blocks, StringComparison.Ordinal) && byName.ContainsKey(name[..^blocks.Length] + scales))
            {
                return name[..^blocks.Length];
            }
        }

        return null;
    }

    /// <summary>The blocks name when <paramref name="name"/> is a scales tensor whose blocks exist (it disappears from the
    /// output).</summary>
    private static string? PairedBlocksOf(string name, Dictionary<string, (SafetensorsFile, TensorInfo)> byName)
    {
        foreach (var (blocks, scales) in new[] { ("_blocks", "_scales"), (".blocks", ".scales") })
        {
            if (name.EndsWith(scales, StringComparison.Ordinal) && byName.ContainsKey(name[..^scales.Length] + blocks))
            {
                return name[..^scales.Length] + blocks;
            }
        }

        return null;
    }

    private static void AssertIndex(string sourceDirectory, string destination, Dictionary<string, (string File, long Bytes)> written)
    {
        string sourceIndex = Path.Combine(sourceDirectory, Checkpoint.DefaultIndexName);
        string index = Path.Combine(destination, Checkpoint.DefaultIndexName);
        if (!File.Exists(sourceIndex))
        {
            Assert.False(File.Exists(index));
            return;
        }

        using var json = JsonDocument.Parse(File.ReadAllBytes(index));
        Assert.Equal(written.Values.Sum(v => v.Bytes), json.RootElement.GetProperty("metadata").GetProperty("total_size").GetInt64());
        var map = json.RootElement.GetProperty("weight_map").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString(),
            StringComparer.Ordinal);
        Assert.Equal(written.Keys.Order(StringComparer.Ordinal), map.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, (file, _)) in written)
        {
            Assert.Equal(file, map[name]);
        }
    }

    private static void AssertOtherFiles(string sourceDirectory, string destination, ConversionLayout layout)
    {
        var expected = Directory.GetFiles(sourceDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, Directory.GetFiles(destination).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList());
        string sourceConfig = Path.Combine(sourceDirectory, "config.json");
        if (!File.Exists(sourceConfig))
        {
            return;
        }

        string config = Path.Combine(destination, "config.json");
        if (layout == ConversionLayout.Natural)
        {
            Assert.Equal(File.ReadAllBytes(sourceConfig), File.ReadAllBytes(config));
            return;
        }

        var expectedConfig = JsonNode.Parse(File.ReadAllText(sourceConfig))!.AsObject();
        Assert.True(expectedConfig.Remove("quantization_config"));
        var actualConfig = JsonNode.Parse(File.ReadAllText(config));
        Assert.True(JsonNode.DeepEquals(expectedConfig, actualConfig), $"config.json: {actualConfig?.ToJsonString()}");
    }
}
