using System.Reflection;
using System.Text.RegularExpressions;
using Mxfp4.Core;
using Xunit;

namespace Mxfp4.PowerShell.Tests.Cmdlets;

/// <summary>
/// The ids users see are the constants of <see cref="ErrorIds"/>; README.md's error table and about_Mxfp4 explain
/// exactly those, and the source names no id except through that class, so code and documentation cannot drift.
/// </summary>
public sealed partial class ErrorIdDocumentationTests
{
    private static readonly string[] Ids = typeof(ErrorIds)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();

    [Fact]
    public void ErrorIds_holds_every_id_once_each_named_as_its_value()
    {
        var fields = typeof(ErrorIds).GetFields(BindingFlags.Public | BindingFlags.Static);
        Assert.True(fields.Length >= 45, $"only {fields.Length} ids: {string.Join(", ", Ids)}");
        Assert.All(fields, f => Assert.Equal(f.Name, f.GetRawConstantValue()));
        Assert.All(Ids, id => Assert.Matches("^[A-Z][A-Za-z0-9]+$", id));
    }

    [Fact]
    public void Every_id_is_documented_in_about_Mxfp4()
    {
        string about = File.ReadAllText(Path.Combine(RepositoryLayout.RepositoryRoot, "docs", "en-US", "about_Mxfp4.md"));
        Assert.All(Ids, id => Assert.Matches(@"\b" + id + @"\b", about));
    }

    [Fact]
    public void About_Mxfp4_lists_no_id_that_ErrorIds_lacks()
    {
        string about = File.ReadAllText(Path.Combine(RepositoryLayout.RepositoryRoot, "docs", "en-US", "about_Mxfp4.md"));
        var listed = AboutErrorLine().Matches(Section(about, "## Error ids")).Select(m => m.Groups["id"].Value).ToArray();
        Assert.True(listed.Length >= 45, $"only {listed.Length} ids listed; the list's shape changed");
        Assert.All(listed, id => Assert.Contains(id, Ids));
    }

    [Fact]
    public void README_error_table_lists_exactly_the_ids_of_ErrorIds()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryLayout.RepositoryRoot, "README.md"));
        var table = ReadmeErrorRow().Matches(Section(readme, "## Errors")).Select(m => m.Groups["id"].Value).ToArray();

        Assert.Equal(table.Distinct(StringComparer.Ordinal).Count(), table.Length);
        Assert.Equal(Ids.Order(StringComparer.Ordinal), table.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_source_names_error_ids_only_through_ErrorIds()
    {
        var idLiteral = new Regex("\"(?:" + string.Join("|", Ids) + ")\"", RegexOptions.CultureInvariant);
        var offenders = SourceFiles()
            .Where(f => !f.EndsWith($"{Path.DirectorySeparatorChar}ErrorIds.cs", StringComparison.Ordinal))
            .SelectMany(f => idLiteral.Matches(File.ReadAllText(f)).Concat(ErrorIdSite().Matches(File.ReadAllText(f)))
                .Select(m => $"{Path.GetRelativePath(RepositoryLayout.RepositoryRoot, f)}: {m.Value}"))
            .ToArray();

        Assert.True(offenders.Length == 0, "error ids written as literals:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void The_literal_scan_sees_ids_written_the_old_way()
    {
        Assert.Matches(ErrorIdSite(), "throw new Mxfp4Exception(\"SomethingNew\", Mxfp4ErrorCategory.InvalidData, m);");
        Assert.Matches(ErrorIdSite(), "new ErrorRecord(e, \"SomethingNew\",\n    ErrorCategory.ReadError, t)");
        Assert.Matches(ErrorIdSite(), "Fail(\"SomethingNew\", message)");
        Assert.Matches(ErrorIdSite(), "VerificationProblem.Warning(\"SomethingNew\", file, null, m)");
        Assert.DoesNotMatch(ErrorIdSite(), "new Mxfp4Exception(ErrorIds.ShapeMismatch, Mxfp4ErrorCategory.InvalidData, m)");
    }

    /// <summary>The text from a heading to the next heading of the same or a higher level.</summary>
    private static string Section(string markdown, string heading)
    {
        int start = markdown.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section '{heading}'");
        int end = markdown.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        return end < 0 ? markdown[start..] : markdown[start..end];
    }

    private static IEnumerable<string> SourceFiles()
    {
        string obj = $"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}";
        string bin = $"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}";
        return Directory.GetFiles(Path.Combine(RepositoryLayout.RepositoryRoot, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains(obj, StringComparison.Ordinal) && !f.Contains(bin, StringComparison.Ordinal));
    }

    /// <summary>
    /// How ids were written before ErrorIds: a string handed on with an error category (engine or PowerShell), an
    /// Id constant, the first argument of a pairing failure or of a verification warning.
    /// </summary>
    [GeneratedRegex(
        @"""[A-Z][A-Za-z0-9]+"",\s*(?:Mxfp4)?ErrorCategory\.|\bId\s*=\s*""[A-Z][A-Za-z0-9]+""|(?:Fail|Warning)\(\s*""[A-Z][A-Za-z0-9]+""")]
    private static partial Regex ErrorIdSite();

    [GeneratedRegex(@"^- (?<id>[A-Z][A-Za-z0-9]+) \(", RegexOptions.Multiline)]
    private static partial Regex AboutErrorLine();

    [GeneratedRegex(@"^\| `(?<id>[A-Za-z0-9]+)` \|", RegexOptions.Multiline)]
    private static partial Regex ReadmeErrorRow();
}
