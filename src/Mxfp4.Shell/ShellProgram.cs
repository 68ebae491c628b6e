namespace Mxfp4.Shell;

/// <summary>The mxfp4-shell entry point, callable in-process with any streams.</summary>
public static class ShellProgram
{
    /// <summary>pwsh's exit code for unusable command-line arguments.</summary>
    public const int BadArgumentsExitCode = 64;

    /// <summary>
    /// Parses <paramref name="arguments"/>, opens a session and runs it; <paramref name="sessionOpened"/> sees the
    /// session before anything runs (the console program hooks Ctrl+C there).
    /// </summary>
    public static int Run(IReadOnlyList<string> arguments, ShellStreams streams, Action<ShellSession>? sessionOpened = null)
    {
        ArgumentNullException.ThrowIfNull(streams);
        var commandLine = ShellCommandLine.Parse(arguments);
        if (commandLine.Mode == ShellMode.Help)
        {
            if (commandLine.Error is not null)
            {
                streams.Error.WriteLine(commandLine.Error);
                streams.Error.WriteLine(ShellCommandLine.Usage);
                return BadArgumentsExitCode;
            }

            streams.Output.WriteLine(ShellCommandLine.Usage);
            return 0;
        }

        using var session = ShellSession.Open(streams);
        sessionOpened?.Invoke(session);
        return commandLine.Mode switch
        {
            ShellMode.Command => session.RunCommand(commandLine.Script!),
            ShellMode.File => session.RunFile(commandLine.Script!, commandLine.FileArguments),
            _ => session.RunInteractive(),
        };
    }
}
