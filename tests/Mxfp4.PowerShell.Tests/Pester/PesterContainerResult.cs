namespace Mxfp4.PowerShell.Tests.Pester;

/// <summary>
/// The result of running one Pester file: each It, and the failures that belong to the file or a block rather
/// than a test (discovery errors, AfterAll errors, a module that would not import).
/// </summary>
public sealed class PesterContainerResult
{
    public PesterContainerResult(string path, IReadOnlyList<PesterTestResult> tests, IReadOnlyList<string> containerErrors, string hostDiagnostics)
    {
        Path = path;
        Tests = MakeNamesUnique(tests);
        ContainerErrors = containerErrors;
        HostDiagnostics = hostDiagnostics;
    }

    public string Path { get; }

    public IReadOnlyList<PesterTestResult> Tests { get; }

    public IReadOnlyList<string> ContainerErrors { get; }

    /// <summary>Warnings and other host diagnostics written while the file ran.</summary>
    public string HostDiagnostics { get; }

    public PesterTestResult? Find(string name) => Tests.FirstOrDefault(test => test.Name == name);

    /// <summary>Pester allows two Its with one name; test rows need distinct names, so repeats get " #2", " #3".</summary>
    private static PesterTestResult[] MakeNamesUnique(IReadOnlyList<PesterTestResult> tests)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        return tests.Select(test =>
        {
            var count = seen.TryGetValue(test.Name, out var previous) ? previous + 1 : 1;
            seen[test.Name] = count;
            return count == 1 ? test : test with { Name = $"{test.Name} #{count}" };
        }).ToArray();
    }
}
