using System.Text;

namespace Mxfp4.Fuzz;

/// <summary>
/// A JSON object member kept as text, so mutations can put anything in it: <see cref="Key"/> is the key as written
/// between the quotes (escapes included), the value is either raw JSON text or a nested object of members.
/// </summary>
public sealed class JsonMember
{
    public JsonMember(string key, string rawValue)
    {
        Key = key;
        RawValue = rawValue;
    }

    public JsonMember(string key, List<JsonMember> members)
    {
        Key = key;
        Members = members;
    }

    public string Key { get; set; }

    public string? RawValue { get; set; }

    public List<JsonMember>? Members { get; }

    public JsonMember Clone() => Members is null ? new JsonMember(Key, RawValue!)
        : new JsonMember(Key, Members.Select(m => m.Clone()).ToList());

    public static string Render(List<JsonMember> members, Random random)
    {
        var text = new StringBuilder();
        Render(members, random, text);
        return text.ToString();
    }

    private static void Render(List<JsonMember> members, Random random, StringBuilder text)
    {
        text.Append('{');
        for (int i = 0; i < members.Count; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            // Optional whitespace is legal anywhere between tokens; vary it so the parser sees more than one layout.
            text.Append(random.Next(8) == 0 ? " " : string.Empty).Append('"').Append(members[i].Key).Append("\":");
            if (members[i].Members is { } nested)
            {
                Render(nested, random, text);
            }
            else
            {
                text.Append(members[i].RawValue);
            }
        }

        text.Append('}');
    }
}
