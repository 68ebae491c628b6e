using System.Globalization;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Fuzz;

/// <summary>Random valid headers and indexes, as member trees the mutators then break.</summary>
public static class ValidInputs
{
    private static readonly SafetensorsDType[] DTypes = Enum.GetValues<SafetensorsDType>();

    private static readonly string[] NameStems =
    [
        "model.layers.{0}.mlp.experts.gate_up_proj_blocks",
        "model.layers.{0}.mlp.experts.gate_up_proj_scales",
        "block.{0}.mlp.mlp1_weight.blocks",
        "block.{0}.mlp.mlp1_weight.scales",
        "model.embed_tokens.weight",
        "lm_head.weight",
        "t{0}",
        "{0}",
    ];

    /// <summary>A valid header: its members and the length of the data section they describe.</summary>
    public static (List<JsonMember> Members, long DataLength) Header(Random random)
    {
        int count = random.Next(7);
        var members = new List<JsonMember>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        long offset = 0;
        for (int i = 0; i < count; i++)
        {
            string name = string.Format(CultureInfo.InvariantCulture, NameStems[random.Next(NameStems.Length)], random.Next(40));
            if (!names.Add(name))
            {
                continue;
            }

            var dtype = DTypes[random.Next(DTypes.Length)];
            var shape = RandomShape(random, DTypeTable.BitSize(dtype));
            long bytes = shape.Aggregate(1L, (a, d) => a * d) * DTypeTable.BitSize(dtype) / 8;
            var fields = new List<JsonMember>
            {
                new("dtype", $"\"{dtype}\""),
                new("shape", "[" + string.Join(",", shape) + "]"),
                new("data_offsets", string.Create(CultureInfo.InvariantCulture, $"[{offset},{offset + bytes}]")),
            };
            Shuffle(fields, random);
            members.Add(new JsonMember(name, fields));
            offset += bytes;
        }

        if (random.Next(2) == 0)
        {
            var metadata = new List<JsonMember>();
            int entries = random.Next(4);
            for (int i = 0; i < entries; i++)
            {
                metadata.Add(
                    new JsonMember("key" + i.ToString(CultureInfo.InvariantCulture), random.Next(2) == 0 ? "\"pt\""
                    : "\"value with \\\"quotes\\\"\""));
            }

            members.Add(new JsonMember("__metadata__", metadata));
        }

        Shuffle(members, random);
        return (members, offset);
    }

    /// <summary>A valid <c>model.safetensors.index.json</c>.</summary>
    public static List<JsonMember> Index(Random random)
    {
        int shards = random.Next(1, 4);
        int count = random.Next(1, 8);
        var map = new List<JsonMember>();
        for (int i = 0; i < count; i++)
        {
            string shard = string.Format(CultureInfo.InvariantCulture, "\"model-{0:D5}-of-{1:D5}.safetensors\"", random.Next(shards) + 1,
                shards);
            map.Add(new JsonMember("model.layers." + i.ToString(CultureInfo.InvariantCulture) + ".weight", shard));
        }

        var members = new List<JsonMember>
        {
            new("metadata", [new JsonMember("total_size", random.NextInt64(1L << 40).ToString(CultureInfo.InvariantCulture))]),
            new("weight_map", map),
        };
        if (random.Next(3) == 0)
        {
            members.Add(new JsonMember("format", "\"pt\""));
        }

        Shuffle(members, random);
        return members;
    }

    public static void Shuffle<T>(List<T> items, Random random)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static long[] RandomShape(Random random, int bits)
    {
        // Sub-byte dtypes need a bit count divisible by 8, so the last dimension is a multiple of 8 for them.
        int rank = random.Next(4);
        var shape = new long[rank];
        for (int d = 0; d < rank; d++)
        {
            shape[d] = random.Next(6);
        }

        if (rank > 0 && bits < 8)
        {
            shape[^1] *= 8;
        }
        else if (rank == 0 && bits < 8)
        {
            return [0];
        }

        return shape;
    }
}
