using System.Diagnostics;
using Mxfp4.Shell;
using Xunit;

namespace Mxfp4.PowerShell.Tests.Shell;

/// <summary>mxfp4-shell as a real child process: console streams, exit codes and the module path override.</summary>
public sealed class ShellProcessTests
{
    [Fact]
    public void The_shell_runs_as_a_process_with_the_module_imported()
    {
        var (exitCode, output, error) = RunShell(null, "-NoProfile", "-Command", "(Get-Module Mxfp4).Name; 2 * 21; exit 4");

        Assert.Equal(4, exitCode);
        Assert.Equal(["Mxfp4", "42"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal(string.Empty, error);
    }

    [Fact]
    public void A_missing_module_override_warns_and_runs_without_the_module()
    {
        var (exitCode, output, error) = RunShell("/no/such/module/path", "-Command", "@(Get-Module Mxfp4).Count");

        Assert.Equal(0, exitCode);
        Assert.Equal("0", output.Trim());
        Assert.Contains("WARNING: could not import the Mxfp4 module from /no/such/module/path", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Sigint_stops_the_command_and_the_process_exits_130()
    {
        // Sending SIGINT needs kill(1); only POSIX systems have it.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var process = Process.Start(StartInfo(null, "-Command", "'started'; while ($true) { }"))!;
        process.StandardInput.Close();
        Assert.Equal("started", process.StandardOutput.ReadLine());
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        var exited = process.WaitForExit(30_000);
        if (!exited)
        {
            process.Kill();
        }

        Assert.True(exited, "mxfp4-shell ignored SIGINT.");
        Assert.Equal(ShellSession.InterruptedExitCode, process.ExitCode);
    }

    private static (int ExitCode, string Output, string Error) RunShell(string? moduleOverride, params string[] arguments)
    {
        using var process = Process.Start(StartInfo(moduleOverride, arguments))!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "mxfp4-shell did not exit within 60 s.");
        return (process.ExitCode, output.Result, error.Result);
    }

    private static ProcessStartInfo StartInfo(string? moduleOverride, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mxfp4-shell.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (moduleOverride is null)
        {
            start.Environment.Remove(ModuleLocator.OverrideVariable);
        }
        else
        {
            start.Environment[ModuleLocator.OverrideVariable] = moduleOverride;
        }

        return start;
    }
}
