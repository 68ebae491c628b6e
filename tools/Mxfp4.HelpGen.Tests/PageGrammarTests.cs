using System.Xml.Linq;
using Xunit;

namespace Mxfp4.HelpGen.Tests;

/// <summary>Schema details that the fixture files do not exercise, on small pages built in the test.</summary>
public sealed class PageGrammarTests
{

    private static string Page(string parameters, string syntax = "### __AllParameterSets\n```\nGet-Thing\n```\n", string online = "") =>
        $"---\nexternal help file: X.dll-Help.xml\nModule Name: X\nonline version: {online}\nschema: 2.0.0\n---\n\n"
        + "# Get-Thing\n\n## SYNOPSIS\nGets a thing.\n\n## SYNTAX\n\n" + syntax
        + "\n## DESCRIPTION\nLong text.\n\n## EXAMPLES\n\n### Example 1\n```powershell\nGet-Thing\n```\n\n## PARAMETERS\n\n" + parameters
        + "\n## INPUTS\n\n### None\n\n## OUTPUTS\n\n### System.Object\n\n## NOTES\n\n## RELATED LINKS\n";

    private static string Yaml(string sets, string required, string position) =>
        $"```yaml\nType: String\nParameter Sets: {sets}\nAliases:\n\nRequired: {required}\nPosition: {position}\nDefault value: "
            + "None\nAccept pipeline input: False\nAccept wildcard characters: False\n```\n";

    private static CommandHelp Parse(string markdown) => CommandPageParser.Parse("/docs/Get-Thing.md", markdown, "X.dll-Help.xml");

    [Fact]
    public void Parameter_with_one_yaml_block_per_set_uses_each_sets_metadata_in_syntax()
    {
        var help = Parse(Page(
            "### -Name\nThe name.\n\n" + Yaml("A", "True", "0") + "\n" + Yaml("B", "False", "Named"),
            syntax: "### A (Default)\n```\nGet-Thing [-Name] <String>\n```\n\n### B\n```\nGet-Thing [-Name <String>]\n```\n"));

        Assert.Equal(["A", "B"], help.ParameterSets);
        var maml = MamlWriter.Write([help]);
        var syntaxNames = maml.Descendants(MamlWriter.Command + "syntaxItem")
            .Select(item => item.Element(MamlWriter.Command + "parameter")!)
            .Select(p => (p.Attribute("required")!.Value, p.Attribute("position")!.Value));
        Assert.Equal([("true", "0"), ("false", "named")], syntaxNames);
        var listed = Assert.Single(maml.Descendants(MamlWriter.Command + "parameters").Elements());
        Assert.Equal("true", listed.Attribute("required")!.Value);
    }

    [Fact]
    public void Page_without_parameters_has_one_syntax_item()
    {
        var help = Parse(Page("### CommonParameters\nThis cmdlet supports the common parameters.\n"));

        Assert.Empty(help.Parameters);
        var item = Assert.Single(MamlWriter.Write([help]).Descendants(MamlWriter.Command + "syntaxItem"));
        Assert.Equal("Get-Thing", item.Element(MamlWriter.Maml + "name")!.Value);
    }

    [Fact]
    public void Online_version_becomes_the_first_related_link()
    {
        var help = Parse(Page("", online: "https://example.org/Get-Thing"));

        var link = MamlWriter.Write([help]).Descendants(MamlWriter.Maml + "navigationLink").First();
        Assert.Equal("Online Version:", link.Element(MamlWriter.Maml + "linkText")!.Value);
        Assert.Equal("https://example.org/Get-Thing", link.Element(MamlWriter.Maml + "uri")!.Value);
    }

    [Theory]
    [InlineData("Type: String\nRequired: Yes", "'Required: Yes' must be True or False")]
    [InlineData("Type: String\nPosition: first", "'Position: first' must be Named or a non-negative number")]
    [InlineData("Type: String\nAccept pipeline input: ByValue", "'Accept pipeline input: ByValue' must be one of")]
    [InlineData("Type: String\nParameter Sets: (All), A", "'Parameter Sets:' is either (All) or a comma-separated list")]
    [InlineData("Type:\nRequired: True", "the yaml block has no 'Type:'")]
    [InlineData("Type: String\nRequired: True\nRequired: False", "key 'Required' appears twice")]
    [InlineData("- Type: String", "expected a 'Key: value' line, found '- Type: String'")]
    [InlineData("Type: String\n  Required: True", "expected a 'Key: value' line")]
    public void Yaml_values_outside_PlatyPS_spellings_are_rejected(string yaml, string reason)
    {
        var page = Page($"### -Name\nThe name.\n\n```yaml\n{yaml}\n```\n");

        var error = Assert.Throws<HelpSchemaException>(() => Parse(page));

        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("## SYNOPSIS\nGets a thing.\n", "## SYNOPSIS\n", "## SYNOPSIS is empty")]
    [InlineData("## NOTES\n", "## NOTES\n\n## EXTRA\n", "unknown section '## EXTRA'")]
    [InlineData("### Example 1\n```powershell\nGet-Thing\n```\n", "### Example 1\nJust prose.\n",
        "example 'Example 1' has no ```powershell code block")]
    [InlineData("### None\n", "Nothing.\n", "unexpected paragraph in ## INPUTS")]
    [InlineData("# Get-Thing\n", "# Get-Other\n", "page title '# Get-Other' does not match the file name 'Get-Thing.md'")]
    [InlineData("Long text.\n", "> quoted\n", "unsupported markdown (block quote) in ## DESCRIPTION")]
    [InlineData("### __AllParameterSets\n```\nGet-Thing\n```\n", "```\nGet-Thing\n```\n\n### B\n```\nGet-Thing -B\n```\n",
        "## SYNTAX is either one code block or")]
    [InlineData("### __AllParameterSets\n```\nGet-Thing\n```\n", "### A\n\nGet-Thing\n",
        "parameter set '### A' in ## SYNTAX needs a ``` code block")]
    public void Section_defects_are_rejected(string valid, string broken, string reason)
    {
        var page = Page("");
        Assert.Contains(valid, page, StringComparison.Ordinal);

        var error = Assert.Throws<HelpSchemaException>(() => Parse(page.Replace(valid, broken, StringComparison.Ordinal)));

        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Topic_whose_page_was_removed_is_removed_from_the_output()
    {
        var output = Fixtures.NewOutputFolder();
        File.WriteAllText(Path.Combine(output, "about_Removed.help.txt"), "TOPIC\n");
        File.WriteAllText(Path.Combine(output, "notes.txt"), "not ours");

        HelpGenerator.Generate(Fixtures.Valid, output, Fixtures.HelpFile);

        Assert.False(File.Exists(Path.Combine(output, "about_Removed.help.txt")));
        Assert.True(File.Exists(Path.Combine(output, "about_HelpGenFixture.help.txt")));
        Assert.True(File.Exists(Path.Combine(output, "notes.txt")));
    }

    [Fact]
    public void Empty_docs_folder_yields_an_empty_but_valid_help_file_and_no_topics()
    {
        var docs = Fixtures.NewScratchFolder();
        File.WriteAllText(Path.Combine(docs, "README.md"), "# Not a cmdlet page\n");
        var output = Fixtures.NewOutputFolder();

        var written = HelpGenerator.Generate(docs, output);

        var file = Assert.Single(written);
        Assert.Equal(Path.Combine(output, HelpGenerator.DefaultHelpFile), file);
        var root = XDocument.Load(file).Root!;
        Assert.Equal(MamlWriter.Msh + "helpItems", root.Name);
        Assert.Equal("maml", root.Attribute("schema")!.Value);
        Assert.Empty(root.Elements());
    }
}
