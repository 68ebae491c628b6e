using System.Management.Automation.Host;

namespace Mxfp4.Shell;

/// <summary>
/// A line-oriented raw UI: no cursor addressing or screen buffer, only a buffer width that the formatter
/// (Out-Default) uses to lay out tables and lists.
/// </summary>
public sealed class ShellRawUserInterface : PSHostRawUserInterface
{
    private Size _bufferSize;

    /// <summary>Creates the raw UI with a fixed buffer width in characters.</summary>
    public ShellRawUserInterface(int bufferWidth)
    {
        _bufferSize = new Size(bufferWidth, 9999);
    }

    public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;

    public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;

    public override Size BufferSize
    {
        get => _bufferSize;
        set => _bufferSize = value;
    }

    public override Coordinates CursorPosition { get; set; }

    public override int CursorSize { get; set; } = 1;

    public override bool KeyAvailable => false;

    public override Size MaxPhysicalWindowSize => new(_bufferSize.Width, 50);

    public override Size MaxWindowSize => new(_bufferSize.Width, 50);

    public override Coordinates WindowPosition { get; set; }

    public override Size WindowSize
    {
        get => new(_bufferSize.Width, 50);
        set { }
    }

    public override string WindowTitle { get; set; } = "mxfp4-shell";

    public override void FlushInputBuffer()
    {
    }

    public override BufferCell[,] GetBufferContents(Rectangle rectangle) =>
        throw new NotSupportedException("mxfp4-shell has no screen buffer.");

    public override KeyInfo ReadKey(ReadKeyOptions options) =>
        throw new NotSupportedException("mxfp4-shell reads whole lines only.");

    public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) =>
        throw new NotSupportedException("mxfp4-shell has no screen buffer.");

    public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) =>
        throw new NotSupportedException("mxfp4-shell has no screen buffer.");

    public override void SetBufferContents(Rectangle rectangle, BufferCell fill) =>
        throw new NotSupportedException("mxfp4-shell has no screen buffer.");
}
