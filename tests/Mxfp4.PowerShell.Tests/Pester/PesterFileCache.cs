using System.Collections.Concurrent;

namespace Mxfp4.PowerShell.Tests.Pester;

/// <summary>Runs each Pester file once per test process; every row of that file reads the same result.</summary>
public static class PesterFileCache
{
    private static readonly ConcurrentDictionary<string, Lazy<PesterContainerResult>> Results = new(StringComparer.Ordinal);

    public static PesterContainerResult Get(string testFile) =>
        Results.GetOrAdd(Path.GetFullPath(testFile), path => new Lazy<PesterContainerResult>(() => PesterCompatRunner.RunFile(path))).Value;
}
