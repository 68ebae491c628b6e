using System.Text;
using Markdig;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;

namespace Mxfp4.HelpGen;

/// <summary>
/// Turns a PlatyPS about-topic page (<c># about_X</c>, <c>## about_X</c>, <c># SHORT DESCRIPTION</c>,
/// <c># LONG DESCRIPTION</c>, further sections) into the plain-text layout of <c>about_X.help.txt</c>:
/// level-1 headings in capitals at the margin, everything else indented four spaces, prose wrapped at 80 columns,
/// code blocks kept line for line.
/// </summary>
public static class AboutTopicConverter
{
    private const string Indent = "    ";
    private const int LineWidth = 80;

    /// <returns>The topic name (the output file is <c>{name}.help.txt</c>) and the text.</returns>
    public static (string TopicName, string Text) Convert(string path, string markdown)
    {
        var document = Markdown.Parse(markdown, MarkdownText.Pipeline);
        var cursor = new BlockCursor(path, [.. document], markdown.Split('\n').Length);
        if (cursor.Peek is YamlFrontMatterBlock frontMatter)
        {
            cursor.Next();
            var pairs = KeyValueBlock.Parse(path, frontMatter.Line + 2, frontMatter.Lines.ToString(), knownKeys: null);
            if (pairs.TryGetValue("schema", out var schema) && schema != CommandPageParser.SupportedSchema)
            {
                throw new HelpSchemaException(path, 1,
                    $"schema '{schema}' is not supported: only PlatyPS schema {CommandPageParser.SupportedSchema} pages are");
            }
        }

        var title = cursor.NextHeading(1) ?? throw cursor.Error(cursor.Peek, "an about topic starts with '# about_Name'");
        var topic = MarkdownText.Inline(title.Inline);
        var expected = System.IO.Path.GetFileNameWithoutExtension(path);
        if (!topic.StartsWith("about_", StringComparison.OrdinalIgnoreCase) || !topic.Equals(expected, StringComparison.OrdinalIgnoreCase))
        {
            throw cursor.Error(title, $"the title '# {topic}' must be '# {expected}' (the file name)");
        }
        var subtitle = cursor.NextHeading(2);
        if (subtitle is null || !MarkdownText.Inline(subtitle.Inline).Equals(topic, StringComparison.OrdinalIgnoreCase))
        {
            throw cursor.Error(subtitle ?? cursor.Peek, $"the second line of an about topic is '## {topic}'");
        }

        var text = new StringBuilder();
        text.Append("TOPIC\n").Append(Indent).Append(topic.ToLowerInvariant()).Append("\n\n");
        ExpectSection(cursor, "SHORT DESCRIPTION", text);
        ExpectSection(cursor, "LONG DESCRIPTION", text);
        while (cursor.Peek is not null)
        {
            AppendBlock(cursor, cursor.Next(), text);
        }
        return (topic, text.ToString().TrimEnd('\n') + "\n");
    }

    private static void ExpectSection(BlockCursor cursor, string name, StringBuilder text)
    {
        var heading = cursor.NextHeading(1);
        if (heading is null || !MarkdownText.Inline(heading.Inline).Equals(name, StringComparison.OrdinalIgnoreCase))
        {
            throw cursor.Error(heading ?? cursor.Peek, $"expected '# {name}' here, found {TextBlocks.Describe(heading ?? cursor.Peek)}");
        }
        text.Append(name).Append('\n');
        if (cursor.AtSectionEnd(1))
        {
            throw cursor.Error(heading, $"'# {name}' is empty");
        }
        while (!cursor.AtSectionEnd(1))
        {
            AppendBlock(cursor, cursor.Next(), text);
        }
    }

    private static void AppendBlock(BlockCursor cursor, Block block, StringBuilder text)
    {
        switch (block)
        {
            case HeadingBlock { Level: 1 } heading:
                text.Append(MarkdownText.Inline(heading.Inline).ToUpperInvariant()).Append('\n');
                break;
            case HeadingBlock heading:
                text.Append(Indent).Append(MarkdownText.Inline(heading.Inline).ToUpperInvariant()).Append("\n\n");
                break;
            case ParagraphBlock paragraph:
                Wrap(MarkdownText.Inline(paragraph.Inline), Indent, Indent, text);
                text.Append('\n');
                break;
            case ListBlock list:
                var number = int.TryParse(list.OrderedStart, out var start) ? start : 1;
                foreach (var item in list.OfType<ListItemBlock>())
                {
                    var bullet = list.IsOrdered ? $"{number++}. " : "- ";
                    var itemText = string.Join(" ", item.OfType<ParagraphBlock>().Select(p => MarkdownText.Inline(p.Inline)));
                    Wrap(itemText, Indent + bullet, Indent + new string(' ', bullet.Length), text);
                }
                text.Append('\n');
                break;
            case FencedCodeBlock code:
                foreach (var line in MarkdownText.Code(code).Split('\n'))
                {
                    text.Append((Indent + line).TrimEnd()).Append('\n');
                }
                text.Append('\n');
                break;
            default:
                throw cursor.Error(block,
                    $"an about topic may hold only headings, paragraphs, lists and ``` code blocks, found {TextBlocks.Describe(block)}");
        }
    }

    private static void Wrap(string paragraph, string firstIndent, string nextIndent, StringBuilder text)
    {
        foreach (var hardLine in paragraph.Split('\n'))
        {
            var line = new StringBuilder(firstIndent);
            var empty = true;
            foreach (var word in hardLine.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!empty && line.Length + 1 + word.Length > LineWidth)
                {
                    text.Append(line).Append('\n');
                    line.Clear().Append(nextIndent);
                    empty = true;
                }
                line.Append(empty ? string.Empty : " ").Append(word);
                empty = false;
            }
            text.Append(line).Append('\n');
            firstIndent = nextIndent;
        }
    }
}
