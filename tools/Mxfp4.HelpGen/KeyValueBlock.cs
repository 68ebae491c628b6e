namespace Mxfp4.HelpGen;

/// <summary>The flat <c>Key: value</c> yaml that PlatyPS writes (front matter and parameter blocks); nothing more.</summary>
internal static class KeyValueBlock
{
    /// <param name="firstLine">1-based line of the first content line, for error positions.</param>
    public static Dictionary<string, string> Parse(string path, int firstLine, string text, IReadOnlyList<string>? knownKeys)
    {
        var pairs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Trim().Length == 0)
            {
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !IsKey(line.AsSpan(0, colon)))
            {
                throw new HelpSchemaException(path, firstLine + i, $"invalid yaml: expected a 'Key: value' line, found '{line}'");
            }
            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (knownKeys is not null && !knownKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                throw new HelpSchemaException(path, firstLine + i,
                    $"invalid yaml: unknown key '{key}' (known keys: {string.Join(", ", knownKeys)})");
            }
            if (!pairs.TryAdd(key, value))
            {
                throw new HelpSchemaException(path, firstLine + i, $"invalid yaml: key '{key}' appears twice");
            }
        }
        return pairs;
    }

    /// <summary>Plain words only ("Accept pipeline input", "ms.date"): list items and nested yaml are not PlatyPS metadata.</summary>
    private static bool IsKey(ReadOnlySpan<char> key) =>
        char.IsAsciiLetter(key[0]) && !key.ContainsAnyExcept(KeyCharacters);

    private static readonly System.Buffers.SearchValues<char> KeyCharacters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ._-");
}
