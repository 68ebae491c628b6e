using Markdig;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Mxfp4.HelpGen;

/// <summary>
/// Parses one PlatyPS 0.14 "schema: 2.0.0" cmdlet page. Like PlatyPS it takes syntax from the PARAMETERS yaml
/// (the SYNTAX code blocks are for readers) and rejects anything outside the schema; it is stricter in a few places
/// that PlatyPS only warns about or silently drops: every section present, every parameter described.
/// </summary>
public static class CommandPageParser
{
    public static readonly IReadOnlyList<string> SectionOrder =
        ["SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS"];

    public static readonly IReadOnlyList<string> ParameterKeys =
    [
        "Type", "Parameter Sets", "Aliases", "Accepted values", "Required", "Position", "Default value",
        "Accept pipeline input", "Accept wildcard characters",
    ];

    public const string SupportedSchema = "2.0.0";

    public static CommandHelp Parse(string path, string markdown, string expectedHelpFile)
    {
        var document = Markdown.Parse(markdown, MarkdownText.Pipeline);
        var lineCount = markdown.Split('\n').Length;
        var cursor = new BlockCursor(path, [.. document], lineCount);

        var frontMatter = ReadFrontMatter(cursor);
        CheckFrontMatter(cursor, frontMatter, expectedHelpFile);

        var title = cursor.NextHeading(1)
            ?? throw cursor.Error(cursor.Peek,
            $"expected '# Cmdlet-Name' after the front matter, found {TextBlocks.Describe(cursor.Peek)}");
        var name = MarkdownText.Inline(title.Inline);
        var expectedName = System.IO.Path.GetFileNameWithoutExtension(path);
        if (!name.Equals(expectedName, StringComparison.OrdinalIgnoreCase))
        {
            throw cursor.Error(title, $"page title '# {name}' does not match the file name '{expectedName}.md'");
        }

        var onlineVersion = frontMatter.TryGetValue("online version", out var online) ? online : string.Empty;
        return new SectionReader(cursor, name, onlineVersion).Read();
    }

    private static Dictionary<string, string> ReadFrontMatter(BlockCursor cursor)
    {
        if (cursor.Peek is not YamlFrontMatterBlock block)
        {
            throw cursor.Error(cursor.Peek,
                $"missing YAML front matter ('---' ... 'schema: {SupportedSchema}' ... '---') at the top of the page");
        }
        cursor.Next();
        return KeyValueBlock.Parse(cursor.Path, block.Line + 2, block.Lines.ToString(), knownKeys: null);
    }

    private static void CheckFrontMatter(BlockCursor cursor, Dictionary<string, string> frontMatter, string expectedHelpFile)
    {
        if (!frontMatter.TryGetValue("schema", out var schema))
        {
            throw new HelpSchemaException(cursor.Path, 1,
                $"front matter has no 'schema:' key; PlatyPS pages declare 'schema: {SupportedSchema}'");
        }
        if (schema != SupportedSchema)
        {
            throw new HelpSchemaException(cursor.Path, 1,
                $"schema '{schema}' is not supported: only PlatyPS schema {SupportedSchema} pages are");
        }
        if (!frontMatter.TryGetValue("external help file", out var helpFile) || helpFile != expectedHelpFile)
        {
            throw new HelpSchemaException(cursor.Path, 1,
                $"front matter must say 'external help file: {expectedHelpFile}' (found '{helpFile ?? "nothing"}'): Get-Help looks for "
                    + "that file name");
        }
    }

    /// <summary>The section grammar; a class only to share the cursor and the command name.</summary>
    private sealed class SectionReader(BlockCursor cursor, string commandName, string onlineVersion)
    {
        private List<string> _synopsis = [];
        private List<string> _description = [];
        private List<string> _parameterSets = [];
        private readonly List<(ParameterHelp Parameter, Block Heading)> _parameters = [];
        private readonly List<ExampleHelp> _examples = [];
        private List<TypeHelp> _inputs = [];
        private List<TypeHelp> _outputs = [];
        private List<string> _notes = [];
        private readonly List<RelatedLink> _links = [];

        public CommandHelp Read()
        {
            var next = 0;
            while (cursor.Peek is not null)
            {
                var heading = cursor.NextHeading(2)
                    ?? throw cursor.Error(cursor.Peek, $"expected a '## SECTION' heading, found {TextBlocks.Describe(cursor.Peek)}");
                var section = MarkdownText.Inline(heading.Inline).ToUpperInvariant();
                var index = IndexOf(section);
                if (index < 0)
                {
                    throw cursor.Error(heading,
                        $"unknown section '## {section}'; a cmdlet page has, in this order: "
                            + $"{string.Join(", ", SectionOrder.Select(s => "## " + s))}");
                }
                if (index < next)
                {
                    throw cursor.Error(heading,
                        $"section '## {section}' is out of order or repeated: it must come before '## {SectionOrder[next - 1]}'");
                }
                if (index > next && cursor.HasHeadingAhead(2, SectionOrder[next]))
                {
                    throw cursor.Error(heading, $"section '## {section}' is out of order: '## {SectionOrder[next]}' must come before it");
                }
                if (index > next)
                {
                    throw cursor.Error(heading, $"missing required section '## {SectionOrder[next]}' before '## {section}'");
                }
                ReadSection(section, heading);
                next++;
            }
            if (next < SectionOrder.Count)
            {
                throw cursor.ErrorAtEnd($"missing required section '## {SectionOrder[next]}'");
            }
            CheckParameterSets();

            return new CommandHelp
            {
                Name = commandName,
                Synopsis = _synopsis,
                Description = _description,
                ParameterSets = _parameterSets,
                Parameters = [.. _parameters.Select(p => p.Parameter)],
                Examples = _examples,
                Inputs = _inputs,
                Outputs = _outputs,
                Notes = _notes,
                RelatedLinks = _links,
                OnlineVersion = onlineVersion,
            };
        }

        private static int IndexOf(string section)
        {
            for (var i = 0; i < SectionOrder.Count; i++)
            {
                if (SectionOrder[i] == section)
                {
                    return i;
                }
            }
            return -1;
        }

        private void ReadSection(string section, HeadingBlock heading)
        {
            switch (section)
            {
                case "SYNOPSIS":
                    _synopsis = RequiredText(heading, "## SYNOPSIS");
                    break;
                case "SYNTAX":
                    ReadSyntax(heading);
                    break;
                case "DESCRIPTION":
                    _description = RequiredText(heading, "## DESCRIPTION");
                    break;
                case "EXAMPLES":
                    ReadExamples(heading);
                    break;
                case "PARAMETERS":
                    ReadParameters();
                    break;
                case "INPUTS":
                    _inputs = ReadTypes(heading, "## INPUTS");
                    break;
                case "OUTPUTS":
                    _outputs = ReadTypes(heading, "## OUTPUTS");
                    break;
                case "NOTES":
                    _notes = TextOnly(2, "## NOTES");
                    break;
                default:
                    ReadRelatedLinks();
                    break;
            }
        }

        private List<string> RequiredText(HeadingBlock heading, string sectionName)
        {
            var text = TextOnly(2, sectionName);
            if (text.Count == 0)
            {
                throw cursor.Error(heading, $"{sectionName} is empty");
            }
            return text;
        }

        private List<string> TextOnly(int level, string sectionName)
        {
            var text = TextBlocks.Read(cursor, level, sectionName);
            if (!cursor.AtSectionEnd(level))
            {
                throw cursor.Error(cursor.Peek, $"unexpected {TextBlocks.Describe(cursor.Peek)} in {sectionName}");
            }
            return text;
        }

        private void ReadSyntax(HeadingBlock sectionHeading)
        {
            if (cursor.Peek is FencedCodeBlock)
            {
                cursor.Next();
                _parameterSets = [ParameterSetNames.All];
                if (!cursor.AtSectionEnd(2))
                {
                    throw cursor.Error(cursor.Peek,
                        "## SYNTAX is either one code block or a '### ParameterSetName' heading before each code block");
                }
                return;
            }
            while (cursor.NextHeading(3) is { } setHeading)
            {
                var setName = MarkdownText.Inline(setHeading.Inline);
                if (setName.EndsWith("(Default)", StringComparison.Ordinal))
                {
                    setName = setName[..^"(Default)".Length].TrimEnd();
                }
                if (_parameterSets.Contains(setName, StringComparer.OrdinalIgnoreCase))
                {
                    throw cursor.Error(setHeading, $"parameter set '{setName}' appears twice in ## SYNTAX");
                }
                if (cursor.Peek is not FencedCodeBlock)
                {
                    throw cursor.Error(cursor.Peek ?? setHeading,
                        $"parameter set '### {setName}' in ## SYNTAX needs a ``` code block with the syntax line");
                }
                cursor.Next();
                _parameterSets.Add(setName);
            }
            if (!cursor.AtSectionEnd(2))
            {
                throw cursor.Error(cursor.Peek,
                    $"unexpected {TextBlocks.Describe(cursor.Peek)} in ## SYNTAX: expected '### ParameterSetName' and a ``` code block");
            }
            if (_parameterSets.Count == 0)
            {
                throw cursor.Error(sectionHeading, "## SYNTAX has no syntax code block");
            }
        }

        private void ReadExamples(HeadingBlock sectionHeading)
        {
            while (cursor.NextHeading(3) is { } exampleHeading)
            {
                var title = MarkdownText.Inline(exampleHeading.Inline);
                var code = new List<string>();
                var remarks = new List<string>();
                while (!cursor.AtSectionEnd(3))
                {
                    if (cursor.Peek is FencedCodeBlock fence)
                    {
                        cursor.Next();
                        code.Add(MarkdownText.Code(fence));
                    }
                    else if (TextBlocks.IsText(cursor.Peek))
                    {
                        remarks.AddRange(TextBlocks.Read(cursor, 3, $"example '{title}'"));
                    }
                    else
                    {
                        throw cursor.Error(cursor.Peek, $"unexpected {TextBlocks.Describe(cursor.Peek)} in example '{title}'");
                    }
                }
                if (code.Count == 0)
                {
                    throw cursor.Error(exampleHeading, $"example '{title}' has no ```powershell code block");
                }
                _examples.Add(new ExampleHelp(title, string.Join("\n\n", code), remarks));
            }
            if (!cursor.AtSectionEnd(2))
            {
                throw cursor.Error(cursor.Peek,
                    $"unexpected {TextBlocks.Describe(cursor.Peek)} in ## EXAMPLES: each example starts with '### Example N: title'");
            }
            if (_examples.Count == 0)
            {
                throw cursor.Error(sectionHeading, "## EXAMPLES has no example ('### Example 1: title' and a ```powershell block)");
            }
        }

        private void ReadParameters()
        {
            var sawCommonParameters = false;
            while (cursor.NextHeading(3) is { } heading)
            {
                var text = MarkdownText.Inline(heading.Inline);
                if (sawCommonParameters)
                {
                    throw cursor.Error(heading,
                        $"'### {text}' comes after '### CommonParameters', which must be the last entry of ## PARAMETERS");
                }
                if (text.Equals("CommonParameters", StringComparison.OrdinalIgnoreCase))
                {
                    sawCommonParameters = true;
                    TextOnly(3, "### CommonParameters");
                    continue;
                }
                if (!text.StartsWith('-') || text.Length < 2 || text.Contains(' ', StringComparison.Ordinal))
                {
                    throw cursor.Error(heading, $"parameter heading must be '### -Name', found '### {text}'");
                }
                var name = text[1..];
                if (_parameters.Any(p => p.Parameter.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
                {
                    throw cursor.Error(heading, $"parameter -{name} is documented twice");
                }
                _parameters.Add((ReadParameter(heading, name), heading));
            }
            if (!cursor.AtSectionEnd(2))
            {
                throw cursor.Error(cursor.Peek,
                    $"unexpected {TextBlocks.Describe(cursor.Peek)} in ## PARAMETERS: each parameter starts with '### -Name'");
            }
        }

        private ParameterHelp ReadParameter(HeadingBlock heading, string name)
        {
            var description = TextBlocks.Read(cursor, 3, $"parameter -{name}");
            if (description.Count == 0)
            {
                throw cursor.Error(heading, $"parameter -{name} has no description (a paragraph before its ```yaml block)");
            }
            var metadata = new List<ParameterMetadata>();
            while (cursor.Peek is FencedCodeBlock fence)
            {
                if (fence.Info != "yaml")
                {
                    throw cursor.Error(fence, $"parameter -{name}: expected a ```yaml metadata block, found a ```{fence.Info} block");
                }
                cursor.Next();
                metadata.Add(ParameterMetadataReader.Read(cursor.Path, fence, name, ParameterKeys));
            }
            if (metadata.Count == 0)
            {
                throw cursor.Error(heading,
                    $"parameter -{name} has no ```yaml metadata block (Type, Parameter Sets, Aliases, Required, Position, ...)");
            }
            if (!cursor.AtSectionEnd(3))
            {
                throw cursor.Error(cursor.Peek, $"unexpected {TextBlocks.Describe(cursor.Peek)} after the yaml block of parameter -{name}");
            }
            return new ParameterHelp { Name = name, Description = description, Metadata = metadata };
        }

        private List<TypeHelp> ReadTypes(HeadingBlock sectionHeading, string sectionName)
        {
            var types = new List<TypeHelp>();
            while (cursor.NextHeading(3) is { } heading)
            {
                var typeName = MarkdownText.Inline(heading.Inline);
                types.Add(new TypeHelp(typeName, TextOnly(3, $"'### {typeName}' in {sectionName}")));
            }
            if (!cursor.AtSectionEnd(2))
            {
                throw cursor.Error(cursor.Peek,
                    $"unexpected {TextBlocks.Describe(cursor.Peek)} in {sectionName}: each entry is '### TypeName' and its description");
            }
            if (types.Count == 0)
            {
                throw cursor.Error(sectionHeading, $"{sectionName} has no '### TypeName' entry (write '### None' when there is none)");
            }
            return types;
        }

        private void ReadRelatedLinks()
        {
            while (!cursor.AtSectionEnd(2))
            {
                var block = cursor.Next();
                IEnumerable<ParagraphBlock> paragraphs = block switch
                {
                    ParagraphBlock paragraph => [paragraph],
                    ListBlock list => list.OfType<ListItemBlock>().SelectMany(item => item.OfType<ParagraphBlock>()),
                    _ => throw cursor.Error(block,
                        $"unexpected {TextBlocks.Describe(block)} in ## RELATED LINKS: write one [text](uri) link per line"),
                };
                foreach (var paragraph in paragraphs)
                {
                    AddLinks(paragraph);
                }
            }
        }

        private void AddLinks(ParagraphBlock paragraph)
        {
            foreach (var inline in paragraph.Inline ?? [])
            {
                switch (inline)
                {
                    case LinkInline { IsImage: false } link:
                        _links.Add(new RelatedLink(MarkdownText.Inline(link), link.Url ?? string.Empty));
                        break;
                    case LineBreakInline:
                        break;
                    case LiteralInline literal when literal.Content.IsEmptyOrWhitespace():
                        break;
                    default:
                        throw cursor.Error(paragraph,
                            $"## RELATED LINKS may hold only [text](uri) links, found '{MarkdownText.Inline(paragraph.Inline)}'");
                }
            }
        }

        private void CheckParameterSets()
        {
            var named = _parameterSets is not [ParameterSetNames.All];
            foreach (var (parameter, heading) in _parameters)
            {
                foreach (var set in parameter.Metadata.SelectMany(m => m.ParameterSets))
                {
                    if (!named || !_parameterSets.Contains(set, StringComparer.OrdinalIgnoreCase))
                    {
                        throw cursor.Error(heading,
                            $"parameter -{parameter.Name} names parameter set '{set}', which ## SYNTAX does not list "
                                + $"({string.Join(", ", _parameterSets)})");
                    }
                }
            }
        }
    }
}
