using System.Xml.Linq;

namespace Mxfp4.HelpGen;

/// <summary>Writes command help as the MAML that PowerShell's help system reads (the layout PlatyPS produces).</summary>
public static class MamlWriter
{
    public static readonly XNamespace Msh = "http://msh";
    public static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    public static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    public static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    public static readonly XNamespace MsHelp = "http://msdn.microsoft.com/mshelp";

    public static XDocument Write(IEnumerable<CommandHelp> commands) =>
        new(new XDeclaration("1.0", "utf-8", null),
            new XElement(Msh + "helpItems",
                new XAttribute("schema", "maml"),
                new XAttribute(XNamespace.Xmlns + "maml", Maml),
                new XAttribute(XNamespace.Xmlns + "command", Command),
                new XAttribute(XNamespace.Xmlns + "dev", Dev),
                new XAttribute(XNamespace.Xmlns + "MSHelp", MsHelp),
                commands.Select(CommandElement)));

    private static XElement CommandElement(CommandHelp help)
    {
        var dash = help.Name.IndexOf('-', StringComparison.Ordinal);
        return new XElement(Command + "command",
            new XElement(Command + "details",
                new XElement(Command + "name", help.Name),
                new XElement(Command + "verb", dash < 0 ? help.Name : help.Name[..dash]),
                new XElement(Command + "noun", dash < 0 ? string.Empty : help.Name[(dash + 1)..]),
                Description(help.Synopsis)),
            Description(help.Description),
            new XElement(Command + "syntax", help.ParameterSets.Select(set => SyntaxItem(help, set))),
            new XElement(Command + "parameters",
                help.Parameters.Select(p => Parameter(p, p.Metadata[0], inSyntax: false))),
            new XElement(Command + "inputTypes", help.Inputs.Select(t => TypeEntry("inputType", t))),
            new XElement(Command + "returnValues", help.Outputs.Select(t => TypeEntry("returnValue", t))),
            new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paragraphs(help.Notes))),
            new XElement(Command + "examples", help.Examples.Select(Example)),
            new XElement(Command + "relatedLinks", RelatedLinks(help).Select(link =>
                new XElement(Maml + "navigationLink",
                    new XElement(Maml + "linkText", link.Text),
                    new XElement(Maml + "uri", HelpUri(link))))));
    }

    /// <summary>
    /// A link to a sibling page (<c>Get-Thing.md</c>) names a topic that Get-Help finds by its text, as in PowerShell's
    /// own help: its relative URI would print after the name and is no address Get-Help -Online could open, so only
    /// absolute URIs are kept.
    /// </summary>
    private static string HelpUri(RelatedLink link) =>
        Uri.TryCreate(link.Uri, UriKind.Absolute, out _) ? link.Uri : string.Empty;

    /// <summary>Get-Help -Online opens the first link whose URI is absolute; PlatyPS puts the page's online version first.</summary>
    private static IEnumerable<RelatedLink> RelatedLinks(CommandHelp help) =>
        help.OnlineVersion.Length == 0 ? help.RelatedLinks : [new RelatedLink("Online Version:", help.OnlineVersion), .. help.RelatedLinks];

    private static XElement SyntaxItem(CommandHelp help, string parameterSet) =>
        new(Command + "syntaxItem",
            new XElement(Maml + "name", help.Name),
            help.Parameters
                .Select(p => (Parameter: p, Metadata: p.MetadataFor(parameterSet)))
                .Where(p => p.Metadata is not null)
                .Select(p => Parameter(p.Parameter, p.Metadata!, inSyntax: true)));

    private static XElement Parameter(ParameterHelp parameter, ParameterMetadata metadata, bool inSyntax)
    {
        var variableLength = metadata.Type.EndsWith("[]", StringComparison.Ordinal) ? "true" : "false";
        return new XElement(Command + "parameter",
            new XAttribute("required", Lower(metadata.Required)),
            new XAttribute("variableLength", variableLength),
            new XAttribute("globbing", Lower(metadata.AcceptsWildcards)),
            new XAttribute("pipelineInput", metadata.PipelineInput),
            new XAttribute("position", metadata.Position),
            new XAttribute("aliases", metadata.Aliases.Count == 0 ? "none" : string.Join(", ", metadata.Aliases)),
            new XElement(Maml + "name", parameter.Name),
            Description(parameter.Description),
            inSyntax && metadata.AcceptedValues.Count > 0
                ? new XElement(Command + "parameterValueGroup", metadata.AcceptedValues.Select(v =>
                    new XElement(Command + "parameterValue",
                        new XAttribute("required", "false"), new XAttribute("variableLength", "false"), v)))
                : null,
            // Get-Help prints a switch in syntax as "[-Name]"; a value element would make it "[-Name <SwitchParameter>]".
            inSyntax && metadata.IsSwitch
                ? null
                : new XElement(Command + "parameterValue",
                    new XAttribute("required", Lower(!metadata.IsSwitch)),
                    new XAttribute("variableLength", variableLength),
                    metadata.Type),
            new XElement(Dev + "type", new XElement(Maml + "name", metadata.Type), new XElement(Maml + "uri")),
            new XElement(Dev + "defaultValue", metadata.DefaultValue));
    }

    private static XElement TypeEntry(string elementName, TypeHelp type) =>
        new(Command + elementName,
            new XElement(Dev + "type", new XElement(Maml + "name", type.TypeName)),
            Description(type.Description));

    private static XElement Example(ExampleHelp example) =>
        new(Command + "example",
            new XElement(Maml + "title", $"---------- {example.Title} ----------"),
            new XElement(Dev + "code", example.Code),
            new XElement(Dev + "remarks", Paragraphs(example.Remarks)));

    private static XElement Description(IEnumerable<string> paragraphs) =>
        new(Maml + "description", Paragraphs(paragraphs));

    private static IEnumerable<XElement> Paragraphs(IEnumerable<string> paragraphs) =>
        paragraphs.Select(p => new XElement(Maml + "para", p));

    private static string Lower(bool value) => value ? "true" : "false";
}
