using System.Text;
using System.Text.Json;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Fuzz;

/// <summary>
/// Writes a small, randomly broken checkpoint directory under <c>root/src</c>: one to three shards (in
/// subdirectories too, with clashing names), MXFP4 pairs whose blocks and scales land in different shards, plain
/// tensors, an index whose shard names may be absolute, climb out, hold control characters or name directories,
/// links (to shards outside, dangling, in loops, to directories) and other files. <c>root/outside</c> holds a shard
/// that links may reach and that must never change. The same seed and index always give the same directory.
/// </summary>
public static class CheckpointDirectoryGenerator
{
    private static readonly string[] HostileNames =
    [
        "../outside/canary.safetensors", "/etc/passwd", string.Empty, "x\0y.safetensors", "x\u0001.safetensors",
        "sub\\..\\..\\outside\\canary.safetensors", "./{0}", "sub/../{0}", "{0}/", "MISSING.safetensors", "dir.safetensors",
        "loop.safetensors", "dangling.safetensors", ".", "..",
    ];

    /// <summary>Builds the case; returns a short description of what was generated, for failure reports.</summary>
    public static string Generate(string root, int seed, long index)
    {
        var random = new Random(CaseGenerator.Mix(seed, index));
        var notes = new List<string>();
        string source = Path.Combine(root, "src");
        string outside = Path.Combine(root, "outside");
        Directory.CreateDirectory(source);
        Directory.CreateDirectory(outside);
        WriteShard(Path.Combine(outside, "canary.safetensors"), [Plain("canary.weight", 4)]);

        string[] shardNames = PickShardNames(random);
        var tensors = MakeTensors(random, notes);
        var placement = tensors.ToDictionary(t => t.Spec.Name, _ => shardNames[random.Next(shardNames.Length)], StringComparer.Ordinal);
        foreach (var shardName in shardNames)
        {
            string path = Path.Combine(source, shardName);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var own = tensors.Where(t => placement[t.Spec.Name] == shardName).ToList();
            if (random.Next(8) == 0)
            {
                // The shard lives outside and is reached through a link, as in the Hugging Face cache.
                string blob = Path.Combine(outside, "blob-" + Path.GetFileName(shardName));
                WriteShard(blob, own);
                File.CreateSymbolicLink(path, blob);
                notes.Add($"link {shardName} -> outside");
            }
            else
            {
                WriteShard(path, own);
            }
        }

        AddOddEntries(source, random, notes);
        if (random.Next(10) < 7)
        {
            WriteIndex(Path.Combine(source, Checkpoint.DefaultIndexName), placement, shardNames, random, notes);
        }

        notes.Insert(0, $"shards [{string.Join(", ", shardNames)}]");
        return string.Join("; ", notes);
    }

    /// <summary>
    /// Shard names, among them names whose outputs collide (<c>a/model.safetensors</c> with <c>b/model.safetensors</c>;
    /// an upper-case <c>MODEL.SAFETENSORS</c>, or a shard without the extension, beside other files that would be
    /// copied), which planning must refuse (OutputNameCollision) before anything is written.
    /// </summary>
    private static string[] PickShardNames(Random random) => random.Next(7) switch
    {
        0 => ["model.safetensors"],
        1 => ["sub/model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"],
        2 => ["a/model.safetensors", "b/model.safetensors"],
        3 => ["MODEL.SAFETENSORS"],
        4 => ["model-00001-of-00002.bin", "model-00002-of-00002.safetensors"],
        _ => ["model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors"],
    };

    private static List<(TensorSpec Spec, byte[] Data)> MakeTensors(Random random, List<string> notes)
    {
        var tensors = new List<(TensorSpec, byte[])>();
        int layers = random.Next(1, 3);
        for (int layer = 0; layer < layers; layer++)
        {
            string name = $"model.layers.{layer}.mlp.experts.{(random.Next(2) == 0 ? "down_proj" : "gate_up_proj")}";
            long experts = random.Next(1, 3);
            long rows = 2 << random.Next(3);
            long groups = random.Next(1, 3);
            var blocks = new TensorSpec(name + "_blocks", SafetensorsDType.U8, [experts, rows, groups, 16]);
            var scales = new TensorSpec(name + "_scales", SafetensorsDType.U8, [experts, rows, groups]);
            switch (random.Next(12))
            {
                case 0:
                    notes.Add($"{name}: no scales");
                    tensors.Add(Random(blocks, random));
                    break;
                case 1:
                    notes.Add($"{name}: scales of another shape");
                    tensors.Add(Random(blocks, random));
                    tensors.Add(Random(new TensorSpec(scales.Name, SafetensorsDType.U8, [experts, rows, groups + 1]), random));
                    break;
                case 2:
                    notes.Add($"{name}: F32 scales");
                    tensors.Add(Random(blocks, random));
                    tensors.Add(Random(new TensorSpec(scales.Name, SafetensorsDType.F32, scales.Shape), random));
                    break;
                default:
                    tensors.Add(Random(blocks, random));
                    tensors.Add(Random(scales, random));
                    break;
            }

            tensors.Add(Plain($"model.layers.{layer}.input_layernorm.weight", 4 * (layer + 1)));
            if (random.Next(2) == 0)
            {
                tensors.Add(Plain(name + "_bias", (int)(experts * rows)));
            }
        }

        return tensors;
    }

    private static void AddOddEntries(string source, Random random, List<string> notes)
    {
        if (random.Next(3) == 0)
        {
            File.WriteAllText(Path.Combine(source, "config.json"), random.Next(4) == 0 ? "{"
                : "{\"quantization_config\":{\"quant_method\":\"mxfp4\"},\"n\":1}");
            notes.Add("config.json");
        }

        if (random.Next(3) == 0)
        {
            File.WriteAllText(Path.Combine(source, "tokenizer.json"), "{}");
        }

        if (random.Next(5) == 0)
        {
            Directory.CreateDirectory(Path.Combine(source, "dir.safetensors"));
            notes.Add("directory dir.safetensors");
        }

        if (random.Next(5) == 0)
        {
            File.CreateSymbolicLink(Path.Combine(source, "dangling.safetensors"), Path.Combine(source, "nowhere"));
            notes.Add("dangling link");
        }

        if (random.Next(6) == 0)
        {
            File.CreateSymbolicLink(Path.Combine(source, "loop.safetensors"), Path.Combine(source, "loop2.safetensors"));
            File.CreateSymbolicLink(Path.Combine(source, "loop2.safetensors"), Path.Combine(source, "loop.safetensors"));
            notes.Add("link loop");
        }

        if (random.Next(6) == 0)
        {
            File.WriteAllBytes(Path.Combine(source, ".model.safetensors.0123abcd.mxfp4-partial"), new byte[10]);
            notes.Add("stale partial");
        }
    }

    private static void WriteIndex(string path, Dictionary<string, string> placement, string[] shardNames, Random random,
        List<string> notes)
    {
        var map = placement.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        int hostile = random.Next(4) == 0 ? random.Next(1, 3) : 0;
        for (int h = 0; h < hostile && map.Count > 0; h++)
        {
            string tensor = map.Keys.ElementAt(random.Next(map.Count));
            string name = string.Format(System.Globalization.CultureInfo.InvariantCulture, HostileNames[random.Next(HostileNames.Length)],
                shardNames[random.Next(shardNames.Length)]);
            map[tensor] = name;
            notes.Add($"index maps {tensor} to {JsonSerializer.Serialize(name)}");
        }

        if (random.Next(8) == 0 && map.Count > 1)
        {
            string dropped = map.Keys.ElementAt(random.Next(map.Count));
            map.Remove(dropped);
            notes.Add($"index omits {dropped}");
        }

        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream);
        json.WriteStartObject();
        json.WriteStartObject("metadata");
        json.WriteNumber("total_size", 1);
        if (random.Next(2) == 0)
        {
            json.WriteNumber("total_parameters", 12345);
        }

        json.WriteEndObject();
        json.WriteStartObject("weight_map");
        foreach (var (tensor, shard) in map)
        {
            json.WriteString(tensor, shard);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteShard(string path, List<(TensorSpec Spec, byte[] Data)> tensors) => SafetensorsWriter.WriteFile(path, tensors);

    private static (TensorSpec, byte[]) Random(TensorSpec spec, Random random)
    {
        var data = new byte[spec.ByteLength];
        random.NextBytes(data);
        return (spec, data);
    }

    private static (TensorSpec, byte[]) Plain(string name, int elements)
    {
        var data = new byte[elements * 2];
        Encoding.ASCII.GetBytes(new string('?', elements * 2)).CopyTo(data, 0);
        return (new TensorSpec(name, SafetensorsDType.BF16, [elements]), data);
    }
}
