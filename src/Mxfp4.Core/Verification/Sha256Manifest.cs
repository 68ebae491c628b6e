using System.Globalization;

namespace Mxfp4.Core.Verification;

/// <summary>
/// A checksum file in the format <c>sha256sum</c> writes and <c>sha256sum -c</c> reads: one <c>&lt;64 hex&gt; &lt;space&gt;&lt;space or
/// *&gt;&lt;name&gt;</c>
/// per line. Names are kept as written, with a leading <c>./</c> removed; blank lines are skipped. Lines in the escaped
/// form (a leading backslash, for names holding a newline or backslash) are unescaped as <c>sha256sum</c> does.
/// </summary>
public sealed class Sha256Manifest
{
    private const int HashLength = 64;

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>A manifest is a few lines per file; this bounds what a wrong file (a shard passed by mistake) costs.</summary>
    private const long MaxLength = 16 << 20;

    private readonly Dictionary<string, string> _hashes;

    private Sha256Manifest(string path, Dictionary<string, string> hashes)
    {
        Path = path;
        _hashes = hashes;
    }

    public string Path { get; }

    public int Count => _hashes.Count;

    /// <summary>Reads and parses <paramref name="path"/>; any malformed line is an <c>InvalidManifest</c> error naming the line.</summary>
    public static Sha256Manifest Read(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        try
        {
            var info = new FileInfo(full);
            if (!info.Exists)
            {
                throw new Mxfp4Exception(ErrorIds.PathNotFound, Mxfp4ErrorCategory.ObjectNotFound, $"The manifest '{full}' does not exist.",
                    full);
            }

            if (info.Length > MaxLength)
            {
                throw Invalid(full, $"it has {info.Length} bytes, more than a checksum file of {MaxLength} bytes could need");
            }

            return Parse(File.ReadAllText(full), full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Mxfp4Exception(ErrorIds.CheckpointReadFailed, Mxfp4ErrorCategory.ReadError,
                $"'{full}' could not be read: {e.Message}", full, e);
        }
    }

    public static Sha256Manifest Parse(string text, string path)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            bool escaped = line[0] == '\\';
            if (escaped)
            {
                line = line[1..];
            }

            if (line.Length < HashLength + 3 || line.AsSpan(0, HashLength).ContainsAnyExcept(HexDigits)
                || line[HashLength] != ' ' || line[HashLength + 1] is not (' ' or '*'))
            {
                throw Invalid(path, $"line {(i + 1).ToString(CultureInfo.InvariantCulture)} is not '<64 hex digits>  <file name>'");
            }

            string name = line[(HashLength + 2)..];
            if (escaped)
            {
                name = Unescape(name);
            }

            name = Normalize(name);
            if (!hashes.TryAdd(name, line[..HashLength].ToLowerInvariant()))
            {
                throw Invalid(path, $"line {(i + 1).ToString(CultureInfo.InvariantCulture)} lists '{name}' a second time");
            }
        }

        return new Sha256Manifest(path, hashes);
    }

    /// <summary>The expected hash (lowercase hex) of the file the manifest names <paramref name="name"/>, if listed.</summary>
    public string? Find(string name) => _hashes.GetValueOrDefault(Normalize(name));

    private static string Unescape(string name)
    {
        var text = new System.Text.StringBuilder(name.Length);
        for (int i = 0; i < name.Length; i++)
        {
            if (name[i] == '\\' && i + 1 < name.Length)
            {
                i++;
                text.Append(name[i] == 'n' ? '\n' : name[i]);
            }
            else
            {
                text.Append(name[i]);
            }
        }

        return text.ToString();
    }

    private static string Normalize(string name)
    {
        while (name.StartsWith("./", StringComparison.Ordinal))
        {
            name = name[2..];
        }

        return name;
    }

    private static Mxfp4Exception Invalid(string path, string detail)
        => new(ErrorIds.InvalidManifest, Mxfp4ErrorCategory.InvalidData, $"'{path}' is not a sha256sum manifest: {detail}.", path);
}
