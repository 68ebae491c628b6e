namespace Mxfp4.Shell;

/// <summary>
/// Where a shell session reads and writes: the process console for <c>mxfp4-shell</c>, captured writers in tests.
/// </summary>
public sealed class ShellStreams
{
    /// <summary>Default layout width when the output is not a terminal (pwsh uses 120 in the same case).</summary>
    public const int DefaultBufferWidth = 120;

    public ShellStreams(TextWriter output, TextWriter error, TextReader input)
    {
        Output = output;
        Error = error;
        Input = input;
    }

    /// <summary>Formatted pipeline output and prompts.</summary>
    public TextWriter Output { get; }

    /// <summary>Error records, warnings, verbose and debug lines, progress.</summary>
    public TextWriter Error { get; }

    /// <summary>Interactive input, Read-Host style reads and -Confirm answers.</summary>
    public TextReader Input { get; }

    /// <summary>When false, choice prompts (-Confirm) take their default answer instead of reading input.</summary>
    public bool InputIsInteractive { get; init; }

    /// <summary>When true, progress records render as one throttled status line on <see cref="Error"/>.</summary>
    public bool ShowProgress { get; init; }

    /// <summary>When true, formatted output keeps pwsh's ANSI styling (only for a terminal).</summary>
    public bool SupportsVirtualTerminal { get; init; }

    /// <summary>Width the formatter lays tables out in.</summary>
    public int BufferWidth { get; init; } = DefaultBufferWidth;

    /// <summary>The process console: stdout, stderr, stdin, with terminal-dependent behaviour switched on only for terminals.</summary>
    public static ShellStreams FromConsole()
    {
        var width = DefaultBufferWidth;
        if (!Console.IsOutputRedirected)
        {
            try
            {
                width = Math.Max(Console.WindowWidth, 40);
            }
            catch (IOException)
            {
                width = DefaultBufferWidth;
            }
        }

        return new ShellStreams(Console.Out, Console.Error, Console.In)
        {
            InputIsInteractive = !Console.IsInputRedirected,
            ShowProgress = !Console.IsErrorRedirected,
            SupportsVirtualTerminal = !Console.IsOutputRedirected,
            BufferWidth = width,
        };
    }
}
