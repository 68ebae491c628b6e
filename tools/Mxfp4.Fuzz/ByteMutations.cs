using System.Globalization;

namespace Mxfp4.Fuzz;

/// <summary>Mutations blind to structure: truncation, flips, inserts, deletes, padding.</summary>
public static class ByteMutations
{
    private static readonly byte[] Interesting = [0, 0x20, 0x22, 0x2C, 0x30, 0x5B, 0x5C, 0x5D, 0x7B, 0x7D, 0x7F, 0x80, 0xC0, 0xED, 0xF4,
        0xFF];

    public static (byte[] Bytes, string Description) Apply(byte[] bytes, Random random)
    {
        var list = new List<byte>(bytes);
        switch (random.Next(6))
        {
            case 0:
                int cut = random.Next(bytes.Length + 1);
                return (bytes[..cut], "truncate at " + cut.ToString(CultureInfo.InvariantCulture));
            case 1 when list.Count > 0:
                int flips = random.Next(1, 4);
                for (int i = 0; i < flips; i++)
                {
                    list[random.Next(list.Count)] ^= (byte)(1 << random.Next(8));
                }

                return ([.. list], "flip bits");
            case 2:
                list.Insert(random.Next(list.Count + 1), random.Next(2) == 0 ? Interesting[random.Next(Interesting.Length)]
                    : (byte)random.Next(256));
                return ([.. list], "insert byte");
            case 3 when list.Count > 0:
                int start = random.Next(list.Count);
                list.RemoveRange(start, Math.Min(list.Count - start, random.Next(1, 4)));
                return ([.. list], "delete bytes");
            case 4:
                byte pad = random.Next(3) switch { 0 => (byte)0, 1 => (byte)' ', _ => (byte)'\n' };
                int count = random.Next(1, 9);
                list.AddRange(Enumerable.Repeat(pad, count));
                if (random.Next(4) == 0)
                {
                    list.Add((byte)' ');
                }

                return ([.. list], "pad with 0x" + pad.ToString("X2", CultureInfo.InvariantCulture));
            default:
                if (list.Count == 0)
                {
                    return ([Interesting[random.Next(Interesting.Length)]], "insert byte");
                }

                list[random.Next(list.Count)] = Interesting[random.Next(Interesting.Length)];
                return ([.. list], "overwrite byte");
        }
    }
}
