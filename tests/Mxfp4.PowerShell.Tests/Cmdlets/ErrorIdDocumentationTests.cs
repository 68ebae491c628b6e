using System.Text.RegularExpressions;
using Xunit;

namespace Mxfp4.PowerShell.Tests.Cmdlets;

/// <summary>Every error id the source can emit is explained in about_Mxfp4, so users can look up what they see.</summary>
public sealed partial class ErrorIdDocumentationTests
{
    [Fact]
    public void Every_error_id_in_the_source_is_documented_in_about_Mxfp4()
    {
        string about = File.ReadAllText(Path.Combine(RepositoryLayout.RepositoryRoot, "docs", "en-US", "about_Mxfp4.md"));
        var ids = Directory.GetFiles(Path.Combine(RepositoryLayout.RepositoryRoot, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => ErrorIdSite().Matches(File.ReadAllText(f)).Select(m => m.Groups["id"].Value))
            .ToHashSet(StringComparer.Ordinal);

        // The pattern must keep finding the ids; if it finds none, the source changed shape and this test is blind.
        Assert.Contains("InvalidSafetensorsHeader", ids);
        Assert.Contains("OutputExists", ids);
        Assert.Contains("ShardOutsideCheckpoint", ids);
        Assert.True(ids.Count >= 30, $"only {ids.Count} ids found: {string.Join(", ", ids)}");
        Assert.All(ids, id => Assert.Matches(@"\b" + id + @"\b", about));
    }

    /// <summary>
    /// An id is a string handed on with an error category (engine or PowerShell), an exception class's Id constant,
    /// or the first argument of a pairing failure.
    /// </summary>
    [GeneratedRegex(@"""(?<id>[A-Z][A-Za-z0-9]+)"",\s*(?:Mxfp4)?ErrorCategory\.|\bId\s*=\s*""(?<id>[A-Z][A-Za-z0-9]+)""|Fail\(\s*""(?<id>[A-Z][A-Za-z0-9]+)""")]
    private static partial Regex ErrorIdSite();
}
