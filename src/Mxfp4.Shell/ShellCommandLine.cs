namespace Mxfp4.Shell;

/// <summary>What mxfp4-shell was asked to do, parsed from pwsh-style arguments.</summary>
public sealed class ShellCommandLine
{
    public const string Usage = """
        Usage: mxfp4-shell [-NoProfile] [-Command <script> | -File <path> [args...]] [-Help]

          -Command, -c <script>   Run the script text (the remaining arguments are joined with spaces).
          -File, -f <path> [args] Run a script file; "-Name value" arguments bind to its param block.
          -NoProfile, -nop        Accepted for pwsh compatibility; no profile is ever loaded.
          -NoLogo, -NonInteractive Accepted for pwsh compatibility.
          -Help, -?, -h           Show this text.

        With no -Command or -File, reads statements interactively from standard input ("exit" ends).
        The staged Mxfp4 module (output/Mxfp4, or $env:MXFP4_MODULE_PATH) is imported first.
        Exit code: 0 when no error record was written, 1 otherwise, N after "exit N".
        """;

    private ShellCommandLine(ShellMode mode, string? script, IReadOnlyList<string> fileArguments, string? error)
    {
        Mode = mode;
        Script = script;
        FileArguments = fileArguments;
        Error = error;
    }

    public ShellMode Mode { get; }

    /// <summary>The script text for <see cref="ShellMode.Command"/>, the file path for <see cref="ShellMode.File"/>.</summary>
    public string? Script { get; }

    /// <summary>Arguments after the -File path.</summary>
    public IReadOnlyList<string> FileArguments { get; }

    /// <summary>Why the arguments were rejected (then <see cref="Mode"/> is <see cref="ShellMode.Help"/>).</summary>
    public string? Error { get; }

    public static ShellCommandLine Parse(IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        for (var index = 0; index < arguments.Count; index++)
        {
            var argument = arguments[index];
            switch (argument.ToUpperInvariant())
            {
                case "-NOPROFILE" or "-NOP" or "-NOLOGO" or "-NONINTERACTIVE":
                    continue;
                case "-HELP" or "-?" or "-H" or "/?":
                    return new ShellCommandLine(ShellMode.Help, null, [], null);
                case "-COMMAND" or "-C":
                    if (index + 1 >= arguments.Count)
                    {
                        return Rejected("Missing the script text after -Command.");
                    }

                    return new ShellCommandLine(ShellMode.Command, string.Join(' ', arguments.Skip(index + 1)), [], null);
                case "-FILE" or "-F":
                    if (index + 1 >= arguments.Count)
                    {
                        return Rejected("Missing the script path after -File.");
                    }

                    return new ShellCommandLine(ShellMode.File, arguments[index + 1], arguments.Skip(index + 2).ToArray(), null);
                default:
                    if (argument.StartsWith('-'))
                    {
                        return Rejected($"Unknown parameter '{argument}'.");
                    }

                    // pwsh treats a leading bare argument as the -File path.
                    return new ShellCommandLine(ShellMode.File, argument, arguments.Skip(index + 1).ToArray(), null);
            }
        }

        return new ShellCommandLine(ShellMode.Interactive, null, [], null);
    }

    private static ShellCommandLine Rejected(string error) => new(ShellMode.Help, null, [], error);
}
