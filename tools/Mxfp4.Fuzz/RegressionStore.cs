using System.Globalization;
using System.Text;

namespace Mxfp4.Fuzz;

/// <summary>
/// Regression inputs on disk: <c>name.bin</c> holds the bytes, <c>name.expected</c> three lines
/// <c>target=Header|Index</c>, <c>fileLength=N</c> and <c>outcome=Label</c>, where the label is what
/// <see cref="CaseRunner"/> reports (<c>Accepted</c>, a <c>SafetensorsErrorKind</c>, <c>Index.*</c>), or <c>any</c>
/// for an input saved by a failure whose correct outcome is still to be decided (any non-failing outcome passes).
/// </summary>
public static class RegressionStore
{
    public const string AnyOutcome = "any";

    public static void Save(string directory, string name, FuzzCase input, string outcome)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, name + ".bin"), input.Bytes);
        File.WriteAllText(
            Path.Combine(directory, name + ".expected"),
            string.Create(CultureInfo.InvariantCulture, $"target={input.Target}\nfileLength={input.FileLength}\noutcome={outcome}\n"),
            new UTF8Encoding(false));
    }

    public static (FuzzCase Input, string Outcome) Load(string binPath)
    {
        var fields = File.ReadAllLines(Path.ChangeExtension(binPath, ".expected"))
            .Where(l => l.Contains('=', StringComparison.Ordinal))
            .ToDictionary(l => l[..l.IndexOf('=', StringComparison.Ordinal)], l => l[(l.IndexOf('=', StringComparison.Ordinal) + 1)..],
                StringComparer.Ordinal);
        var target = Enum.Parse<FuzzTarget>(fields["target"]);
        long fileLength = long.Parse(fields["fileLength"], CultureInfo.InvariantCulture);
        return (new FuzzCase(target, File.ReadAllBytes(binPath), fileLength, Path.GetFileNameWithoutExtension(binPath)), fields["outcome"]);
    }

    /// <summary>The repository's regression folder, found from the working directory or the tool's location.</summary>
    public static string DefaultDirectory()
    {
        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Mxfp4.sln")))
                {
                    return Path.Combine(dir.FullName, "tests", "Mxfp4.Core.Tests", "Fuzz", "Regressions");
                }
            }
        }

        return Path.GetFullPath("Regressions");
    }
}
