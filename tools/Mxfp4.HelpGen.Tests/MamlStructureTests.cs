using System.Xml;
using Xunit;

namespace Mxfp4.HelpGen.Tests;

/// <summary>The MAML written for Fixtures/valid/Get-HelpGenFixture.md, checked element by element against the page.</summary>
public sealed class MamlStructureTests
{
    private readonly XmlDocument _maml = new();
    private readonly XmlNamespaceManager _ns;

    public MamlStructureTests()
    {
        var output = Fixtures.NewOutputFolder();
        HelpGenerator.Generate(Fixtures.Valid, output, Fixtures.HelpFile);
        _maml.Load(Path.Combine(output, Fixtures.HelpFile));
        _ns = new XmlNamespaceManager(_maml.NameTable);
        _ns.AddNamespace("msh", "http://msh");
        _ns.AddNamespace("maml", "http://schemas.microsoft.com/maml/2004/10");
        _ns.AddNamespace("command", "http://schemas.microsoft.com/maml/dev/command/2004/10");
        _ns.AddNamespace("dev", "http://schemas.microsoft.com/maml/dev/2004/10");
    }

    private XmlNodeList Nodes(string xpath) => _maml.SelectNodes(xpath, _ns)!;

    private string Text(string xpath) => _maml.SelectSingleNode(xpath, _ns)?.InnerText
        ?? throw new Xunit.Sdk.XunitException($"no node at {xpath}");

    private string Attribute(string xpath, string attribute) =>
        ((XmlElement)(_maml.SelectSingleNode(xpath, _ns) ?? throw new Xunit.Sdk.XunitException($"no node at {xpath}"))).GetAttribute(
            attribute);

    private const string Command = "/msh:helpItems[@schema='maml']/command:command";

    private static string Parameter(string name) => $"{Command}/command:parameters/command:parameter[maml:name='{name}']";

    [Fact]
    public void Details_hold_name_verb_noun_and_synopsis()
    {
        Assert.Equal(1, Nodes(Command).Count);
        Assert.Equal("Get-HelpGenFixture", Text($"{Command}/command:details/command:name"));
        Assert.Equal("Get", Text($"{Command}/command:details/command:verb"));
        Assert.Equal("HelpGenFixture", Text($"{Command}/command:details/command:noun"));
        Assert.Equal("Reads fixture records for the help generator tests.", Text($"{Command}/command:details/maml:description/maml:para"));
    }

    [Fact]
    public void Description_keeps_one_para_per_markdown_paragraph_without_markup()
    {
        var paras = Nodes($"{Command}/maml:description/maml:para");
        Assert.Equal(2, paras.Count);
        Assert.Equal("The Get-HelpGenFixture cmdlet exists only so that the tests can check that Get-Help renders generated MAML.",
            paras[0]!.InnerText);
        Assert.Equal("It reads nothing: it echoes each resolved path back as a record.", paras[1]!.InnerText);
    }

    [Fact]
    public void Syntax_has_one_item_per_parameter_set_with_that_sets_parameters()
    {
        var items = Nodes($"{Command}/command:syntax/command:syntaxItem");
        Assert.Equal(2, items.Count);
        string[] Names(int item) =>
            [.. Nodes($"{Command}/command:syntax/command:syntaxItem[{item}]/command:parameter/maml:name").Cast<XmlNode>().Select(n
                => n.InnerText)];
        Assert.Equal(["Path", "Format", "Force"], Names(1));
        Assert.Equal(["LiteralPath", "Format", "Force"], Names(2));
        Assert.All(items.Cast<XmlNode>(), item => Assert.Equal("Get-HelpGenFixture", item.SelectSingleNode("maml:name", _ns)!.InnerText));
    }

    [Fact]
    public void Syntax_lists_accepted_values_and_omits_the_switch_value()
    {
        const string format = $"{Command}/command:syntax/command:syntaxItem[1]/command:parameter[maml:name='Format']";
        var values = Nodes($"{format}/command:parameterValueGroup/command:parameterValue").Cast<XmlNode>().Select(n => n.InnerText);
        Assert.Equal(["F32", "BF16", "F16"], values);
        Assert.Equal(0,
            Nodes($"{Command}/command:syntax/command:syntaxItem/command:parameter[maml:name='Force']/command:parameterValue").Count);
        Assert.Equal("SwitchParameter",
            Text($"{Command}/command:syntax/command:syntaxItem[1]/command:parameter[maml:name='Force']/dev:type/maml:name"));
    }

    [Theory]
    [InlineData("Path", "Paths of the fixture files; wildcards are expanded by the provider.")]
    [InlineData("LiteralPath", "Paths used exactly as written, without wildcard expansion.")]
    [InlineData("Format", "The number format of the returned records.")]
    [InlineData("Force", "Replaces cached records instead of reusing them.")]
    public void Every_parameter_is_listed_with_its_description(string name, string description)
    {
        Assert.Equal(4, Nodes($"{Command}/command:parameters/command:parameter").Count);
        Assert.Equal(description, Text($"{Parameter(name)}/maml:description/maml:para"));
    }

    [Theory]
    [InlineData("Path", "true", "0", "True (ByValue, ByPropertyName)", "true", "none", "String[]", "None", "true")]
    [InlineData("LiteralPath", "true", "named", "True (ByPropertyName)", "false", "PSPath, LP", "String[]", "None", "true")]
    [InlineData("Format", "false", "named", "False", "false", "none", "String", "F32", "false")]
    [InlineData("Force", "false", "named", "False", "false", "none", "SwitchParameter", "False", "false")]
    public void Parameter_metadata_comes_from_the_yaml_block(
        string name, string required, string position, string pipeline, string globbing, string aliases, string type, string defaultValue,
            string variableLength)
    {
        var parameter = Parameter(name);
        Assert.Equal(required, Attribute(parameter, "required"));
        Assert.Equal(position, Attribute(parameter, "position"));
        Assert.Equal(pipeline, Attribute(parameter, "pipelineInput"));
        Assert.Equal(globbing, Attribute(parameter, "globbing"));
        Assert.Equal(aliases, Attribute(parameter, "aliases"));
        Assert.Equal(variableLength, Attribute(parameter, "variableLength"));
        Assert.Equal(type, Text($"{parameter}/dev:type/maml:name"));
        Assert.Equal(defaultValue, Text($"{parameter}/dev:defaultValue"));
    }

    [Fact]
    public void Examples_have_title_code_and_remarks()
    {
        var examples = Nodes($"{Command}/command:examples/command:example");
        Assert.Equal(2, examples.Count);
        Assert.Contains("Example 1: Read one fixture", Text($"{Command}/command:examples/command:example[1]/maml:title"));
        Assert.Equal("Get-HelpGenFixture -Path ./fixture-one.bin", Text($"{Command}/command:examples/command:example[1]/dev:code"));
        Assert.Equal("Returns the record for fixture-one.bin.",
            Text($"{Command}/command:examples/command:example[1]/dev:remarks/maml:para"));
        Assert.Contains("Example 2: Pipe paths in", Text($"{Command}/command:examples/command:example[2]/maml:title"));
        Assert.Equal("'a.bin', 'b.bin' | Get-HelpGenFixture -Format BF16 -Force",
            Text($"{Command}/command:examples/command:example[2]/dev:code"));
    }

    [Fact]
    public void Inputs_outputs_notes_and_links_are_carried_over()
    {
        Assert.Equal("System.String[]", Text($"{Command}/command:inputTypes/command:inputType/dev:type/maml:name"));
        Assert.Equal("Paths, by value or by the property name Path.",
            Text($"{Command}/command:inputTypes/command:inputType/maml:description/maml:para"));
        Assert.Equal("System.Management.Automation.PSObject",
            Text($"{Command}/command:returnValues/command:returnValue/dev:type/maml:name"));
        Assert.Equal("The fixture cmdlet never touches the file system.", Text($"{Command}/maml:alertSet/maml:alert/maml:para"));
        var links = Nodes($"{Command}/command:relatedLinks/maml:navigationLink");
        Assert.Equal(2, links.Count);
        Assert.Equal("about_HelpGenFixture", links[0]!.SelectSingleNode("maml:linkText", _ns)!.InnerText);
        Assert.Equal(string.Empty, links[0]!.SelectSingleNode("maml:uri", _ns)!.InnerText);
        Assert.Equal("https://learn.microsoft.com/powershell/module/microsoft.powershell.core/get-help",
            links[1]!.SelectSingleNode("maml:uri", _ns)!.InnerText);
    }

    [Fact]
    public void Sections_appear_in_the_order_PowerShell_help_files_use()
    {
        var children = _maml.SelectSingleNode(Command, _ns)!.ChildNodes.Cast<XmlNode>().Select(n => n.Name);
        Assert.Equal(
            ["command:details", "maml:description", "command:syntax", "command:parameters", "command:inputTypes",
             "command:returnValues", "maml:alertSet", "command:examples", "command:relatedLinks"],
            children);
    }
}
