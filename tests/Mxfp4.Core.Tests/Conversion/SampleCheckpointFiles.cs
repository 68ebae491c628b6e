using System.Security.Cryptography;

namespace Mxfp4.Core.Tests.Conversion;

/// <summary>The committed sample checkpoints and directory snapshots for "left as it was" assertions.</summary>
internal static class SampleCheckpointFiles
{
    public const string HuggingFace = "gpt-oss-tiny";
    public const string Original = "gpt-oss-tiny-original";

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string SamplesDirectory => Path.Combine(RepositoryRoot, "samples");

    /// <summary>Copies samples/<paramref name="folder"/> into <paramref name="parent"/>, so no test writes into the repository.</summary>
    public static string CopyTo(string parent, string folder)
    {
        string target = Path.Combine(parent, folder);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(SamplesDirectory, folder)))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        return target;
    }

    /// <summary>Every file under <paramref name="directory"/> (relative path → SHA-256), or null when the directory does not
    /// exist.</summary>
    public static IReadOnlyDictionary<string, string>? Snapshot(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return null;
        }

        return Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(directory, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))),
                StringComparer.Ordinal);
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mxfp4.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Mxfp4.sln above '{AppContext.BaseDirectory}'.");
    }
}
