using Xunit;

namespace Mxfp4.HelpGen.Tests;

/// <summary>Each page under Fixtures/invalid is the valid page with one defect; the generator must name file, line and defect.</summary>
public sealed class InvalidPageTests
{
    [Theory]
    [InlineData("Get-WrongSchema.md", 1, "schema '1.0.0' is not supported")]
    [InlineData("Get-NoFrontMatter.md", 1, "missing YAML front matter")]
    [InlineData("Get-MissingDescription.md", 26, "missing required section '## DESCRIPTION' before '## EXAMPLES'")]
    [InlineData("Get-SectionsOutOfOrder.md", 117, "section '## NOTES' is out of order: '## OUTPUTS' must come before it")]
    [InlineData("Get-ParameterWithoutYaml.md", 94, "parameter -Force has no ```yaml metadata block")]
    [InlineData("Get-ParameterWithoutDescription.md", 78, "parameter -Format has no description")]
    [InlineData("Get-UnknownYamlKey.md", 86, "invalid yaml: unknown key 'Mandatory'")]
    [InlineData("Get-UnknownParameterSet.md", 63, "parameter -LiteralPath names parameter set 'Literal', which ## SYNTAX does not list")]
    [InlineData("Get-NonLinkRelated.md", 129, "## RELATED LINKS may hold only [text](uri) links, found 'See Get-Help for details.'")]
    [InlineData("about_MissingShortDescription.md", 5, "expected '# SHORT DESCRIPTION' here")]
    public void Invalid_page_is_rejected_with_location_and_reason(string page, int line, string reason)
    {
        var docs = Fixtures.FolderWithInvalidPage(page);
        var output = Fixtures.NewOutputFolder();

        var failure = Assert.Throws<HelpSchemaAggregateException>(() => HelpGenerator.Generate(docs, output, Fixtures.HelpFile));

        var error = Assert.Single(failure.Errors);
        Assert.Equal(Path.Combine(docs, page), error.FilePath);
        Assert.Equal(line, error.Line);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
        Assert.StartsWith($"{Path.Combine(docs, page)}:{line}: ", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(output));
    }

    [Fact]
    public void Every_invalid_page_in_a_folder_is_reported_in_one_run()
    {
        var output = Fixtures.NewOutputFolder();

        var failure = Assert.Throws<HelpSchemaAggregateException>(()
            => HelpGenerator.Generate(Fixtures.Invalid, output, Fixtures.HelpFile));

        Assert.Equal(Directory.GetFiles(Fixtures.Invalid, "*.md").Length, failure.Errors.Count);
    }

    [Fact]
    public void Page_for_another_help_file_is_rejected()
    {
        var output = Fixtures.NewOutputFolder();

        var failure = Assert.Throws<HelpSchemaAggregateException>(()
            => HelpGenerator.Generate(Fixtures.Valid, output, "Other.dll-Help.xml"));

        Assert.Contains("must say 'external help file: Other.dll-Help.xml'", Assert.Single(failure.Errors).Reason,
            StringComparison.Ordinal);
    }
}
