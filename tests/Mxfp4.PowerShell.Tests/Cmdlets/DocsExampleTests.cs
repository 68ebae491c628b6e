using System.Text.RegularExpressions;
using Xunit;

namespace Mxfp4.PowerShell.Tests.Cmdlets;

/// <summary>Every code example in docs/en-US runs, as written, against the bundled samples from the repository root.</summary>
public sealed partial class DocsExampleTests
{
    public static TheoryData<string, int> Examples()
    {
        var data = new TheoryData<string, int>();
        foreach (var page in Directory.GetFiles(DocsDirectory, "*.md").Where(IsHelpPage).Order(StringComparer.Ordinal))
        {
            for (int i = 0; i < CodeBlocks(page).Count; i++)
            {
                data.Add(Path.GetFileName(page), i);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_runs_without_errors(string page, int index)
    {
        string code = CodeBlocks(Path.Combine(DocsDirectory, page))[index];
        using var session = new ModuleSession();
        var result = session.Run(
            "$ExecutionContext.SessionState.Path.SetLocation($root) | Out-Null\n" + code,
            new Dictionary<string, object?> { ["root"] = RepositoryLayout.RepositoryRoot });
        Assert.True(result.Errors.Count == 0,
            $"{page} example "
                + $"{index + 1}:\n{code}\n---\n{string.Join("\n", result.Errors.Select(e => e.FullyQualifiedErrorId + ": " + e))}");
    }

    /// <summary>Cmdlet pages (Verb-Noun.md) and about topics; the folder's README is about the docs, not the module.</summary>
    private static bool IsHelpPage(string path)
        => Path.GetFileName(path).Contains('-', StringComparison.Ordinal)
            || Path.GetFileName(path).StartsWith("about_", StringComparison.Ordinal);

    private static string DocsDirectory => Path.Combine(RepositoryLayout.RepositoryRoot, "docs", "en-US");

    private static List<string> CodeBlocks(string page)
        => PowerShellFence().Matches(File.ReadAllText(page)).Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex(@"```powershell\r?\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex PowerShellFence();
}
