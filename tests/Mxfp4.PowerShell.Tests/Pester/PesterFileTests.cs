using Xunit;

namespace Mxfp4.PowerShell.Tests.Pester;

/// <summary>
/// Every It of every Pester file (the project's tests/Pester and the runner's PesterSelfTests) as its own test
/// row, plus one row per file for failures outside any It (discovery, AfterAll, module import).
/// </summary>
public sealed class PesterFileTests
{
    /// <summary>The row name that stands for the file itself rather than one of its tests.</summary>
    public const string FileRow = "(file: discovery, setup and teardown)";

    public static TheoryData<string, string> Rows()
    {
        var rows = new TheoryData<string, string>();
        foreach (var file in TestFiles())
        {
            var relative = RepositoryLayout.RelativeToRoot(file);
            rows.Add(relative, FileRow);
            foreach (var test in PesterFileCache.Get(file).Tests)
            {
                rows.Add(relative, test.Name);
            }
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Pester_test_passes(string file, string test)
    {
        var result = PesterFileCache.Get(Path.Combine(RepositoryLayout.RepositoryRoot, file));
        if (test == FileRow)
        {
            Assert.True(result.ContainerErrors.Count == 0, string.Join(Environment.NewLine, result.ContainerErrors));
            return;
        }

        var outcome = result.Find(test);
        Assert.True(outcome is not null, $"'{test}' was not found in {file} on this run.");
        Assert.True(outcome.Outcome != PesterOutcome.Failed, outcome.Describe());
    }

    [Fact]
    public void The_self_tests_are_discovered()
    {
        Assert.NotEmpty(Directory.GetFiles(RepositoryLayout.PesterSelfTestDirectory, "*.Tests.ps1"));
    }

    private static IEnumerable<string> TestFiles()
    {
        foreach (var directory in new[] { RepositoryLayout.PesterDirectory, RepositoryLayout.PesterSelfTestDirectory })
        {
            if (!Directory.Exists(directory))
            {
                continue;
            }

            foreach (var file in Directory.GetFiles(directory, "*.Tests.ps1", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                yield return file;
            }
        }
    }
}
