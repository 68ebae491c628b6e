using Markdig.Syntax;

namespace Mxfp4.HelpGen;

/// <summary>Walks a page's top-level blocks in order; the grammar of a help page is flat, so no tree is needed.</summary>
internal sealed class BlockCursor(string path, IReadOnlyList<Block> blocks, int lineCount)
{
    private int _index;

    public string Path { get; } = path;

    public Block? Peek => _index < blocks.Count ? blocks[_index] : null;

    public Block Next() => blocks[_index++];

    /// <summary>True at the end of the page or at a heading that closes a section of <paramref name="level"/>.</summary>
    public bool AtSectionEnd(int level) => Peek is null || (Peek is HeadingBlock heading && heading.Level <= level);

    public HeadingBlock? NextHeading(int level)
    {
        if (Peek is HeadingBlock heading && heading.Level == level)
        {
            _index++;
            return heading;
        }
        return null;
    }

    public bool HasHeadingAhead(int level, string text) =>
        blocks.Skip(_index).OfType<HeadingBlock>()
            .Any(h => h.Level == level && MarkdownText.Inline(h.Inline).Equals(text, StringComparison.OrdinalIgnoreCase));

    public HelpSchemaException Error(Block? at, string message) =>
        new(Path, at is null ? Math.Max(lineCount, 1) : at.Line + 1, message);

    public HelpSchemaException ErrorAtEnd(string message) => Error(null, message);
}
