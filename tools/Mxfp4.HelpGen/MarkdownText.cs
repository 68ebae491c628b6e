using System.Text;
using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Mxfp4.HelpGen;

/// <summary>Markdown to the plain text Get-Help prints: MAML paragraphs carry no markup.</summary>
public static class MarkdownText
{
    public static MarkdownPipeline Pipeline { get; } = new MarkdownPipelineBuilder().UseYamlFrontMatter().Build();

    public static string Inline(ContainerInline? inline)
    {
        var text = new StringBuilder();
        Append(inline, text);
        return text.ToString().Trim();
    }

    public static string Code(LeafBlock block) => block.Lines.ToString().TrimEnd();

    private static void Append(Inline? inline, StringBuilder text)
    {
        switch (inline)
        {
            case null:
                return;
            case LiteralInline literal:
                text.Append(literal.Content.AsSpan());
                return;
            case CodeInline code:
                text.Append(code.Content);
                return;
            case LineBreakInline lineBreak:
                text.Append(lineBreak.IsHard ? '\n' : ' ');
                return;
            case AutolinkInline autolink:
                text.Append(autolink.Url);
                return;
            case HtmlEntityInline entity:
                text.Append(entity.Transcoded.AsSpan());
                return;
            case HtmlInline html:
                text.Append(html.Tag);
                return;
            case ContainerInline container:
                foreach (var child in container)
                {
                    Append(child, text);
                }
                return;
            default:
                return;
        }
    }
}
