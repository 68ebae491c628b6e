using Mxfp4.Shell;

namespace Mxfp4.PowerShell.Tests.Shell;

/// <summary>One in-process run of mxfp4-shell with captured streams.</summary>
public sealed record ShellRun(int ExitCode, string Output, string Error)
{
    public static ShellRun Invoke(IReadOnlyList<string> arguments, string input = "", bool interactiveInput = false)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var reader = new StringReader(input);
        var exitCode = ShellProgram.Run(arguments, new ShellStreams(output, error, reader) { InputIsInteractive = interactiveInput });
        return new ShellRun(exitCode, output.ToString(), error.ToString());
    }

    public static ShellRun Command(string script) => Invoke(["-NoProfile", "-Command", script]);

    /// <summary>Output lines without trailing blanks, blank lines removed.</summary>
    public IReadOnlyList<string> OutputLines =>
        Output.Split('\n').Select(line => line.TrimEnd()).Where(line => line.Length > 0).ToArray();
}
