using System.Text.RegularExpressions;
using Mxfp4.Core.Tests.Conversion;
using Xunit;

namespace Mxfp4.Core.Tests;

/// <summary>
/// Users see the engine's full type names in the table views, the help pages, Get-Member and PSObject.TypeNames, so
/// moving a file to another folder must not change them: every engine type name the views and the documentation give
/// is still a type of the engine, and so are the names of the types that reach users without being named there.
/// </summary>
public sealed partial class PublishedTypeNamesTests
{
    public static TheoryData<string> NamedInViewsAndDocs()
    {
        var data = new TheoryData<string>();
        foreach (var name in Named())
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NamedInViewsAndDocs))]
    public void A_type_name_the_views_or_docs_give_is_a_type_of_the_engine(string name)
        => Assert.NotNull(typeof(ErrorIds).Assembly.GetType(name));

    [Fact]
    public void The_views_and_docs_name_the_records_users_get()
        => Assert.Contains("Mxfp4.Core.Mxfp4.Mxfp4TensorInfo", Named());

    [Theory]
    [InlineData("Mxfp4.Core.Mxfp4.Mxfp4NamingStyle")]
    [InlineData("Mxfp4.Core.Mxfp4.Mxfp4PairingException")]
    [InlineData("Mxfp4.Core.Mxfp4.DequantizingStream")]
    [InlineData("Mxfp4.Core.Quantization.ScaleRule")]
    [InlineData("Mxfp4.Core.Conversion.OutputExistsException")]
    [InlineData("Mxfp4.Core.Conversion.OutputWriteException")]
    public void A_type_that_reaches_users_keeps_its_published_name(string name)
        => Assert.True(typeof(ErrorIds).Assembly.GetType(name) is { IsPublic: true }, name);

    private static List<string> Named()
    {
        string root = SampleCheckpointFiles.RepositoryRoot;
        var files = Directory.EnumerateFiles(Path.Combine(root, "docs", "en-US"), "*.md")
            .Append(Path.Combine(root, "README.md"))
            .Append(Path.Combine(root, "src", "Mxfp4.PowerShell", "Mxfp4.Format.ps1xml"));
        var names = files.SelectMany(f => EngineTypeName().Matches(File.ReadAllText(f)).Select(m => m.Value))
            .Where(n => !n.StartsWith("Mxfp4.Core.Tests", StringComparison.Ordinal) && n != "Mxfp4.Core.dll")
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        return [.. names];
    }

    [GeneratedRegex(@"Mxfp4\.Core\.[A-Za-z0-9_.]*[A-Za-z0-9_]")]
    private static partial Regex EngineTypeName();
}
