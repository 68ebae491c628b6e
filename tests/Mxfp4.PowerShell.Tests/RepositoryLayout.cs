namespace Mxfp4.PowerShell.Tests;

/// <summary>Where the tests find the repository's files, starting from the test assembly's folder.</summary>
public static class RepositoryLayout
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>The folder holding Mxfp4.sln.</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>The project's Pester 5 files (tests/Pester).</summary>
    public static string PesterDirectory => Path.Combine(RepositoryRoot, "tests", "Pester");

    /// <summary>The module as the build stages it (output/Mxfp4, one version folder inside), imported by path.</summary>
    public static string StagedModule => Path.Combine(RepositoryRoot, "output", "Mxfp4");

    /// <summary>A path relative to the repository root with forward slashes, for stable test names.</summary>
    public static string RelativeToRoot(string path) =>
        Path.GetRelativePath(RepositoryRoot, path).Replace('\\', '/');

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mxfp4.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Mxfp4.sln above {AppContext.BaseDirectory}.");
    }
}
