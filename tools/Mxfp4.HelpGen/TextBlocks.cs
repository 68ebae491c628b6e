using Markdig.Syntax;

namespace Mxfp4.HelpGen;

/// <summary>Reads the prose of a section (paragraphs and lists) as one MAML paragraph per block or list item.</summary>
internal static class TextBlocks
{
    public static List<string> Read(BlockCursor cursor, int sectionLevel, string sectionName)
    {
        var paragraphs = new List<string>();
        while (!cursor.AtSectionEnd(sectionLevel) && IsText(cursor.Peek))
        {
            AddParagraphs(cursor.Next(), paragraphs);
        }
        if (!cursor.AtSectionEnd(sectionLevel) && cursor.Peek is not FencedCodeBlock && cursor.Peek is not HeadingBlock)
        {
            throw cursor.Error(cursor.Peek,
                $"unsupported markdown ({Describe(cursor.Peek)}) in {sectionName}: use paragraphs, lists and ``` code blocks");
        }
        return paragraphs;
    }

    public static bool IsText(Block? block) => block is ParagraphBlock or ListBlock;

    public static string Describe(Block? block) => block switch
    {
        null => "end of file",
        HeadingBlock heading => $"heading '{new string('#', heading.Level)} {MarkdownText.Inline(heading.Inline)}'",
        FencedCodeBlock => "code block",
        ParagraphBlock => "paragraph",
        ListBlock => "list",
        QuoteBlock => "block quote",
        ThematicBreakBlock => "horizontal rule",
        HtmlBlock => "HTML block",
        CodeBlock => "indented code block",
        _ => block.GetType().Name,
    };

    private static void AddParagraphs(Block block, List<string> paragraphs)
    {
        switch (block)
        {
            case ParagraphBlock paragraph:
                paragraphs.Add(MarkdownText.Inline(paragraph.Inline));
                break;
            case ListBlock list:
                var number = int.TryParse(list.OrderedStart, out var start) ? start : 1;
                foreach (var item in list.OfType<ListItemBlock>())
                {
                    var bullet = list.IsOrdered ? $"{number++}." : "-";
                    var text = string.Join(" ", item.OfType<ParagraphBlock>().Select(p => MarkdownText.Inline(p.Inline)));
                    paragraphs.Add($"{bullet} {text}");
                }
                break;
        }
    }
}
