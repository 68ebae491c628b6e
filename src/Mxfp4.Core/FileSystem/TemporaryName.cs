using System.Text;
using System.Text.RegularExpressions;

namespace Mxfp4.Core.FileSystem;

/// <summary>
/// The name of a file being written, <c>.&lt;name&gt;.&lt;8 hex&gt;.mxfp4-partial</c>, kept within the 255-byte name
/// limit of Linux, macOS and Windows file systems by shortening <c>&lt;name&gt;</c> (on a character boundary) when a
/// long final name would otherwise push it over. The same rule recognises what a killed run left behind.
/// </summary>
public static partial class TemporaryName
{
    /// <summary>Marks our temporary files, so a user who finds one after a power cut knows what it is.</summary>
    public const string Suffix = ".mxfp4-partial";

    private const int MaxNameBytes = 255;
    private const int RandomHexDigits = 8;

    /// <summary>A fresh temporary path for <paramref name="finalPath"/>, in the same directory.</summary>
    public static string For(string finalPath)
    {
        string directory = Path.GetDirectoryName(finalPath)!;
        string random = Guid.NewGuid().ToString("N")[..RandomHexDigits];
        return Path.Combine(directory, "." + Stem(Path.GetFileName(finalPath)) + "." + random + Suffix);
    }

    /// <summary>The temporary files in <paramref name="directory"/> that were meant to become one of <paramref
    /// name="finalNames"/>.</summary>
    public static IReadOnlyList<string> FindPartials(string directory, IEnumerable<string> finalNames)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var stems = finalNames.Select(Stem).ToHashSet(StringComparer.Ordinal);
        return Directory.EnumerateFiles(directory, "*" + Suffix)
            .Where(f => PartialPattern().Match(Path.GetFileName(f)) is { Success: true } m && stems.Contains(m.Groups["stem"].Value))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The final name, shortened by whole characters until the temporary name fits.</summary>
    private static string Stem(string finalName)
    {
        int budget = MaxNameBytes - ".".Length - ".".Length - RandomHexDigits - Suffix.Length;
        if (Encoding.UTF8.GetByteCount(finalName) <= budget)
        {
            return finalName;
        }

        var stem = new StringBuilder();
        int bytes = 0;
        foreach (var rune in finalName.EnumerateRunes())
        {
            bytes += rune.Utf8SequenceLength;
            if (bytes > budget)
            {
                break;
            }

            stem.Append(rune.ToString());
        }

        return stem.ToString();
    }

    [GeneratedRegex(@"^\.(?<stem>.+)\.[0-9a-f]{8}\.mxfp4-partial$", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex PartialPattern();
}
