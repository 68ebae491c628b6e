using System.Globalization;
using System.Text;

namespace Mxfp4.Fuzz;

/// <summary>Mutations that know the JSON structure: keys, values, nesting. Each returns a short description.</summary>
public static class TreeMutations
{
    /// <summary>The numbers of the brief: edges of 2^53, 2^63, 2^64, and every spelling the format forbids.</summary>
    public static readonly string[] Numbers =
    [
        "0", "-1", "1", "9007199254740992", "9223372036854775807", "9223372036854775808", "18446744073709551615",
        "18446744073709551616", "18446744073709551617", "1.5", "1e3", "1E400", "-0", "+1", "007", "2.0", "0e0", "1E+2",
        "99999999999999999999999999999999", ".5", "-", "0x10", "NaN", "Infinity",
    ];

    private static readonly string[] DTypeTexts =
    [
        "\"f32\"", "\"F32 \"", "\"\"", "\"F3\"", "\"F32\\u0000\"", "\"BF16x\"", "\"FLOAT\"", "5", "null", "[\"F32\"]", "\"U128\"",
        "\"F8_E4M3FN\"", "\"C64\"", "\"F4\"", "\"F6_E2M3\"", "\"BOOL\"", "{}", "\"\\u0046\\u0033\\u0032\"", "true",
    ];

    private static readonly string[] NameTexts =
    [
        "\\u0000", "\\ud800", "\\udc00\\ud800", "\\ud83d\\ude00", "\u0001", "\t", "\u00e9\u4e2d", "\\\"", "\\/", "\\n", "__metadata__",
        string.Empty, "\\u", "\\x41", "\\", "\u2028", "\\uDFFF", "\\uD800\\u0041", "data_offsets", "dtype",
    ];

    private static readonly string[] ValueTexts =
    [
        "null", "true", "false", "[]", "{}", "\"\"", "0", "[0]", "[[0]]", "[0,0,0]", "[\"1\",\"2\"]", "[1,2,3]", "[null]", "-0", "\"x\"",
        "[9223372036854775807,9223372036854775808]", "[0,18446744073709551615]", "[18446744073709551615]",
        "[4294967296,4294967296]", "[4294967296,4294967296,4294967296]",
    ];

    public static string Apply(List<JsonMember> top, Random random)
    {
        var objects = new List<List<JsonMember>>();
        Collect(top, objects);
        var target = objects[random.Next(objects.Count)];
        switch (random.Next(10))
        {
            case 0:
                return ReplaceNumber(top, random);
            case 1 when target.Count > 0:
                var duplicate = target[random.Next(target.Count)];
                target.Insert(random.Next(target.Count + 1), duplicate.Clone());
                return "duplicate key " + duplicate.Key;
            case 2 when target.Count > 1:
                int a = random.Next(target.Count);
                int b = random.Next(target.Count);
                (target[a].Key, target[b].Key) = (target[b].Key, target[a].Key);
                return "swap keys";
            case 3:
                return ShiftOffset(top, random);
            case 4:
                return SetField(top, "dtype", DTypeTexts[random.Next(DTypeTexts.Length)]) ?? ReplaceNumber(top, random);
            case 5 when target.Count > 0:
                var renamed = target[random.Next(target.Count)];
                string insert = NameTexts[random.Next(NameTexts.Length)];
                int at = random.Next(renamed.Key.Length + 1);
                renamed.Key = random.Next(3) == 0 ? insert : renamed.Key[..at] + insert + renamed.Key[at..];
                return "name " + Escape(renamed.Key);
            case 6:
                return Nest(top, objects, random);
            case 7 when target.Count > 0:
                target[random.Next(target.Count)].RawValue = ValueTexts[random.Next(ValueTexts.Length)];
                return "replace value";
            case 8 when target.Count > 0:
                target.RemoveAt(random.Next(target.Count));
                return "remove member";
            case 9:
                target.Insert(random.Next(target.Count + 1),
                    new JsonMember(random.Next(2) == 0 ? "extra" : "offsets", ValueTexts[random.Next(ValueTexts.Length)]));
                return "add member";
            default:
                return ReplaceNumber(top, random);
        }
    }

    private static void Collect(List<JsonMember> members, List<List<JsonMember>> objects)
    {
        objects.Add(members);
        foreach (var member in members)
        {
            if (member.Members is { } nested)
            {
                Collect(nested, objects);
            }
        }
    }

    private static IEnumerable<JsonMember> Leaves(List<JsonMember> members) =>
        members.SelectMany(m => m.Members is { } nested ? Leaves(nested) : [m]);

    private static string ReplaceNumber(List<JsonMember> top, Random random)
    {
        var withNumbers = Leaves(top).Where(m => m.RawValue!.Any(char.IsAsciiDigit)).ToList();
        if (withNumbers.Count == 0)
        {
            return "no number";
        }

        var leaf = withNumbers[random.Next(withNumbers.Count)];
        var spans = NumberSpans(leaf.RawValue!);
        if (spans.Count == 0)
        {
            return "no number";
        }

        var (start, length) = spans[random.Next(spans.Count)];
        string number = Numbers[random.Next(Numbers.Length)];
        leaf.RawValue = leaf.RawValue![..start] + number + leaf.RawValue[(start + length)..];
        return "number " + number;
    }

    /// <summary>Number tokens of a raw value, skipping digits inside strings.</summary>
    private static List<(int Start, int Length)> NumberSpans(string raw)
    {
        var spans = new List<(int, int)>();
        bool inString = false;
        for (int i = 0; i < raw.Length; i++)
        {
            char c = raw[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }
            }
            else if (c == '"')
            {
                inString = true;
            }
            else if (char.IsAsciiDigit(c) || c == '-')
            {
                int start = i;
                while (i + 1 < raw.Length && "0123456789.eE+-".Contains(raw[i + 1], StringComparison.Ordinal))
                {
                    i++;
                }

                spans.Add((start, i - start + 1));
            }
        }

        return spans;
    }

    private static string ShiftOffset(List<JsonMember> top, Random random)
    {
        var offsets = Leaves(top).Where(m => m.Key == "data_offsets" && m.RawValue!.StartsWith('[')).ToList();
        if (offsets.Count == 0)
        {
            return "no offsets";
        }

        var leaf = offsets[random.Next(offsets.Count)];
        var parts = leaf.RawValue!.Trim('[', ']').Split(',');
        if (parts.Length != 2 || !ulong.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out ulong begin)
            || !ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out ulong end))
        {
            return "no offsets";
        }

        int delta = random.Next(2) == 0 ? -1 : 1;
        if (random.Next(2) == 0)
        {
            begin = unchecked(begin + (ulong)(long)delta);
        }
        else
        {
            end = unchecked(end + (ulong)(long)delta);
        }

        leaf.RawValue = string.Create(CultureInfo.InvariantCulture, $"[{begin},{end}]");
        return "offset shifted by " + delta.ToString(CultureInfo.InvariantCulture);
    }

    private static string? SetField(List<JsonMember> top, string field, string value)
    {
        var leaf = Leaves(top).FirstOrDefault(m => m.Key == field);
        if (leaf is null)
        {
            return null;
        }

        leaf.RawValue = value;
        return field + " " + value;
    }

    private static string Nest(List<JsonMember> top, List<List<JsonMember>> objects, Random random)
    {
        int depth = random.Next(4) switch
        {
            0 => random.Next(1, 10),
            1 => random.Next(10, 100),
            2 => random.Next(100, 3000),
            _ => 5,
        };
        var open = new StringBuilder();
        var close = new StringBuilder();
        for (int i = 0; i < depth; i++)
        {
            bool array = random.Next(2) == 0;
            open.Append(array ? "[" : "{\"k\":");
            close.Insert(0, array ? "]" : "}");
        }

        var leaves = Leaves(top).ToList();
        if (leaves.Count > 0 && random.Next(2) == 0)
        {
            var leaf = leaves[random.Next(leaves.Count)];
            leaf.RawValue = open + leaf.RawValue + close;
        }
        else
        {
            var target = objects[random.Next(objects.Count)];
            target.Add(new JsonMember("deep", open + "0" + close));
        }

        return "nesting " + depth.ToString(CultureInfo.InvariantCulture);
    }

    private static string Escape(string text) =>
        string.Concat(text.Select(c => c < ' ' || c > '~' ? "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture) : c.ToString()));
}
