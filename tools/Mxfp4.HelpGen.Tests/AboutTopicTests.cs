using Xunit;

namespace Mxfp4.HelpGen.Tests;

public sealed class AboutTopicTests
{
    [Fact]
    public void About_page_becomes_the_indented_help_txt_layout()
    {
        var output = Fixtures.NewOutputFolder();

        HelpGenerator.Generate(Fixtures.Valid, output, Fixtures.HelpFile);

        // Written by hand from Fixtures/valid/about_HelpGenFixture.md: headings at the margin in capitals, prose
        // indented and wrapped within 80 columns, code kept line for line, subsection headings indented.
        const string expected = """
            TOPIC
                about_helpgenfixture

            SHORT DESCRIPTION
                Describes the help generator's fixture module.

            LONG DESCRIPTION
                The fixture module holds a single cmdlet, Get-HelpGenFixture, whose help is
                generated from markdown by the project's stand-in for PlatyPS. This
                paragraph is long enough that the converter has to wrap it at eighty
                columns.

                Examples are kept as indented code:

                Get-HelpGenFixture -Path ./fixture-one.bin

                FORMATS

                - F32 keeps full precision.
                - BF16 halves the size.

            SEE ALSO
                Get-HelpGenFixture

            """;
        var text = File.ReadAllText(Path.Combine(output, "about_HelpGenFixture.help.txt"));
        Assert.Equal(expected.ReplaceLineEndings("\n"), text);
        Assert.All(text.Split('\n'), line => Assert.True(line.Length <= 80, line));
    }

    [Theory]
    [InlineData("# about_Thing\n\n## about_Other\n", "the second line of an about topic is '## about_Thing'")]
    [InlineData("# Thing\n\n## Thing\n", "the title '# Thing' must be '# about_Thing'")]
    [InlineData("---\nschema: 1.0.0\n---\n# about_Thing\n", "schema '1.0.0' is not supported")]
    [InlineData("# about_Thing\n\n## about_Thing\n\n# SHORT DESCRIPTION\n\n# LONG DESCRIPTION\nText.\n", "'# SHORT DESCRIPTION' is empty")]
    [InlineData("# about_Thing\n\n## about_Thing\n\n# SHORT DESCRIPTION\nShort.\n\n# LONG DESCRIPTION\nText.\n\n---\n",
        "found horizontal rule")]
    public void Malformed_about_page_is_rejected(string markdown, string reason)
    {
        var error = Assert.Throws<HelpSchemaException>(() => AboutTopicConverter.Convert("/docs/about_Thing.md", markdown));

        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }
}
