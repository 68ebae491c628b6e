using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Mxfp4.Fuzz;

/// <summary>
/// Input number <c>i</c> of a seed, independent of every other input, so any one can be regenerated alone.
/// </summary>
public static class CaseGenerator
{
    /// <summary>Header inputs whose virtual zero tail would have to be materialised beyond this are clamped.</summary>
    private const long MaxVirtualPadding = 64 * 1024;

    public static FuzzCase Generate(int seed, long index)
    {
        var random = new Random(Mix(seed, index));
        int kind = random.Next(100);
        if (kind < 3)
        {
            return RandomBytes(random, random.Next(2) == 0 ? FuzzTarget.Header : FuzzTarget.Index);
        }

        return kind < 25 ? Index(random) : Header(random);
    }

    internal static int Mix(int seed, long index)
    {
        // SplitMix64 finaliser: neighbouring indexes get unrelated seeds.
        ulong z = unchecked(((ulong)(uint)seed << 40) ^ (ulong)index) + 0x9E3779B97F4A7C15UL;
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return unchecked((int)(z ^ (z >> 31)));
    }

    private static FuzzCase RandomBytes(Random random, FuzzTarget target)
    {
        var bytes = new byte[random.Next(random.Next(2) == 0 ? 16 : 512)];
        random.NextBytes(bytes);
        if (target == FuzzTarget.Header && bytes.Length >= 8 && random.Next(2) == 0)
        {
            // A plausible prefix lets random bytes reach the JSON checks.
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(bytes.Length - 8));
        }

        return new FuzzCase(target, bytes, bytes.Length, "random bytes");
    }

    private static FuzzCase Index(Random random)
    {
        var members = ValidInputs.Index(random);
        var description = new List<string>();
        Mutate(members, random, description, out byte[] json);
        return new FuzzCase(FuzzTarget.Index, json, json.Length, string.Join("; ", description));
    }

    private static FuzzCase Header(Random random)
    {
        var (members, dataLength) = ValidInputs.Header(random);
        var description = new List<string>();
        Mutate(members, random, description, out byte[] json);

        long claimed = json.Length;
        switch (random.Next(12))
        {
            case 0:
                claimed += random.Next(2) == 0 ? -1 : 1;
                description.Add("prefix off by one");
                break;
            case 1:
                claimed = random.Next(3) switch { 0 => 0, 1 => 100_000_001, _ => random.NextInt64(long.MaxValue) };
                description.Add("prefix " + claimed.ToString(CultureInfo.InvariantCulture));
                break;
        }

        switch (random.Next(10))
        {
            case 0:
                dataLength += random.Next(2) == 0 ? -1 : 1;
                description.Add("data length off by one");
                break;
            case 1:
                dataLength = random.NextInt64(long.MaxValue / 2);
                description.Add("data length " + dataLength.ToString(CultureInfo.InvariantCulture));
                break;
        }

        var file = new byte[8 + json.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, unchecked((ulong)claimed));
        json.CopyTo(file, 8);
        if (random.Next(15) == 0)
        {
            var (cut, what) = ByteMutations.Apply(file, random);
            file = cut;
            description.Add("file " + what);
        }

        long fileLength = 8 + json.Length + Math.Max(dataLength, 0);
        if (claimed >= 0 && claimed <= fileLength - 8 && 8 + claimed - file.Length > MaxVirtualPadding)
        {
            fileLength = file.Length;
        }

        return new FuzzCase(FuzzTarget.Header, file, Math.Max(fileLength, file.Length), string.Join("; ", description));
    }

    private static void Mutate(List<JsonMember> members, Random random, List<string> description, out byte[] json)
    {
        int treeMutations = random.Next(5) == 0 ? 0 : random.Next(1, 4);
        for (int i = 0; i < treeMutations; i++)
        {
            description.Add(TreeMutations.Apply(members, random));
        }

        json = Encoding.UTF8.GetBytes(JsonMember.Render(members, random));
        int byteMutations = random.Next(3) == 0 ? random.Next(1, 3) : 0;
        for (int i = 0; i < byteMutations; i++)
        {
            (json, string what) = ByteMutations.Apply(json, random);
            description.Add(what);
        }

        if (description.Count == 0)
        {
            description.Add("valid");
        }
    }
}
