using Xunit;

namespace Mxfp4.PowerShell.Tests.Shell;

public sealed class ShellProgramTests
{
    [Fact]
    public void Command_prints_the_result_and_exits_0()
    {
        var run = ShellRun.Command("1+1");

        Assert.Equal(["2"], run.OutputLines);
        Assert.Equal(string.Empty, run.Error);
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public void Short_c_form_and_remaining_arguments_are_joined_like_pwsh()
    {
        var run = ShellRun.Invoke(["-c", "'a'", "+", "'b'"]);

        Assert.Equal(["ab"], run.OutputLines);
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public void A_non_terminating_error_goes_to_stderr_with_its_id_and_the_exit_code_is_1()
    {
        // This engine has no Write-Error (Core cmdlets only); an advanced function writes the same kind of record.
        var run = ShellRun.Command("""
            function Write-Failure { [CmdletBinding()] param() $PSCmdlet.WriteError([System.Management.Automation.ErrorRecord]::new([Exception]::new('x failed'), 'CustomFailure', 'InvalidData', $null)) }
            Write-Failure; 'after'
            """);

        Assert.StartsWith("CustomFailure,Write-Failure: x failed", run.Error, StringComparison.Ordinal);
        Assert.Contains("At line:2 char:1", run.Error, StringComparison.Ordinal);
        Assert.Equal(["after"], run.OutputLines);
        Assert.Equal(1, run.ExitCode);
    }

    [Fact]
    public void A_cmdlet_error_shows_the_fully_qualified_error_id()
    {
        var run = ShellRun.Command("Import-Module no-such-module-anywhere");

        Assert.StartsWith("Modules_ModuleNotFound,Microsoft.PowerShell.Commands.ImportModuleCommand: ", run.Error, StringComparison.Ordinal);
        Assert.Equal(1, run.ExitCode);
    }

    [Fact]
    public void Throw_is_reported_and_exits_1()
    {
        var run = ShellRun.Command("'before'; throw 'boom'; 'never'");

        Assert.Equal(["before"], run.OutputLines);
        Assert.StartsWith("boom: boom", run.Error, StringComparison.Ordinal);
        Assert.Contains("throw 'boom'", run.Error, StringComparison.Ordinal);
        Assert.Equal(1, run.ExitCode);
    }

    [Fact]
    public void Exit_sets_the_exit_code()
    {
        Assert.Equal(3, ShellRun.Command("exit 3").ExitCode);
        Assert.Equal(0, ShellRun.Command("exit").ExitCode);
    }

    [Fact]
    public void A_syntax_error_is_reported_with_its_position_and_nothing_runs()
    {
        var run = ShellRun.Command("'ran'; 1 +");

        Assert.Empty(run.OutputLines);
        Assert.StartsWith("ExpectedValueExpression: You must provide a value expression following the '+' operator.", run.Error, StringComparison.Ordinal);
        Assert.Contains("At line:1 char:11", run.Error, StringComparison.Ordinal);
        Assert.Equal(1, run.ExitCode);
    }

    [Fact]
    public void File_binds_named_switch_and_positional_arguments_to_the_param_block()
    {
        var directory = Directory.CreateTempSubdirectory("mxfp4-shell-test-");
        try
        {
            var script = Path.Combine(directory.FullName, "script.ps1");
            File.WriteAllText(script, """
                param([string] $Name, [switch] $Loud, [int] $Count = 1)
                "name=$Name loud=$Loud count=$Count rest=$($args -join ',') root=$([System.IO.Path]::GetFileName($PSScriptRoot))"
                """);

            var named = ShellRun.Invoke(["-NoProfile", "-File", script, "-Name", "foo", "-Loud", "-Count:3"]);
            var positional = ShellRun.Invoke([script, "bar", "7"]);

            Assert.Equal([$"name=foo loud=True count=3 rest= root={directory.Name}"], named.OutputLines);
            Assert.Equal(0, named.ExitCode);
            Assert.Equal(["name=bar loud=False count=7 rest= root=" + directory.Name], positional.OutputLines);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void File_returns_the_scripts_exit_code_and_rejects_a_missing_file()
    {
        var directory = Directory.CreateTempSubdirectory("mxfp4-shell-test-");
        try
        {
            var script = Path.Combine(directory.FullName, "exits.ps1");
            File.WriteAllText(script, "'out'; exit 7");

            var run = ShellRun.Invoke(["-File", script]);
            var missing = ShellRun.Invoke(["-File", Path.Combine(directory.FullName, "missing.ps1")]);

            Assert.Equal(["out"], run.OutputLines);
            Assert.Equal(7, run.ExitCode);
            Assert.Equal(64, missing.ExitCode);
            Assert.Contains("missing.ps1", missing.Error, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_staged_module_is_imported()
    {
        var run = ShellRun.Command("Get-Module Mxfp4");

        Assert.Equal(0, run.ExitCode);
        var header = run.OutputLines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["ModuleType", "Version", "PreRelease", "Name", "ExportedCommands"], header);
        Assert.Matches(@"^Binary\s+\d+\.\d+\.\d+\s+Mxfp4\b", run.OutputLines[2]);
    }

    [Fact]
    public void An_object_with_three_properties_prints_as_a_pwsh_table_without_ansi_styling()
    {
        var run = ShellRun.Command("[pscustomobject]@{ Name = 'w'; DType = 'U8'; Count = 32 }");

        Assert.Equal(["Name DType Count", "---- ----- -----", "w    U8       32"], run.OutputLines);
        Assert.DoesNotContain('\u001b', run.Output);
    }

    [Fact]
    public void Interactive_mode_runs_lines_until_exit()
    {
        var run = ShellRun.Invoke([], "$a = 2\n$a * 3\nif ($a) {\n'multi'\n}\nexit\n'never'\n");

        var printed = run.Output.Split('\n').Select(line => line.Replace(Prompt(run.Output), string.Empty, StringComparison.Ordinal).Replace(">> ", string.Empty, StringComparison.Ordinal).Trim()).Where(line => line.Length > 0);
        Assert.Equal(["6", "multi"], printed);
        Assert.StartsWith("PS ", run.Output, StringComparison.Ordinal);
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public void Interactive_mode_keeps_going_after_errors_and_returns_the_exit_value()
    {
        var run = ShellRun.Invoke([], "throw 'bad'\n'still here'\nexit 5\n");

        Assert.Contains("still here", run.Output, StringComparison.Ordinal);
        Assert.StartsWith("bad: bad", run.Error, StringComparison.Ordinal);
        Assert.Equal(5, run.ExitCode);
    }

    [Fact]
    public void Verbose_and_warning_lines_go_to_stderr_with_pwsh_prefixes()
    {
        const string Define = "function Test-Streams { [CmdletBinding()] param() $PSCmdlet.WriteVerbose('detail'); $PSCmdlet.WriteWarning('careful'); 'done' }; ";

        var quiet = ShellRun.Command(Define + "Test-Streams");
        var verbose = ShellRun.Command(Define + "Test-Streams -Verbose");

        Assert.Equal("WARNING: careful", quiet.Error.Trim());
        Assert.Equal(["done"], quiet.OutputLines);
        Assert.Equal(0, quiet.ExitCode);
        Assert.Contains("VERBOSE: detail", verbose.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, "", "yes")]
    [InlineData(true, "N\n", "no")]
    [InlineData(true, "y\n", "yes")]
    public void Confirm_prompts_read_the_answer_or_take_the_default_when_input_is_not_interactive(bool interactive, string input, string expected)
    {
        var run = ShellRun.Invoke(
            ["-Command", "function Remove-Thing { [CmdletBinding(SupportsShouldProcess)] param() if ($PSCmdlet.ShouldProcess('thing')) { 'yes' } else { 'no' } }; Remove-Thing -Confirm"],
            input,
            interactive);

        // The answer is read after the menu on the same line (a terminal echoes the typed answer and Enter).
        Assert.EndsWith(expected, run.OutputLines[^1], StringComparison.Ordinal);
        Assert.Equal(interactive, run.Output.Contains("[N] No", StringComparison.Ordinal));
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public void Help_prints_usage_and_unknown_parameters_exit_64()
    {
        var help = ShellRun.Invoke(["-?"]);
        var bad = ShellRun.Invoke(["-Bogus"]);

        Assert.Contains("Usage: mxfp4-shell", help.Output, StringComparison.Ordinal);
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("Unknown parameter '-Bogus'", bad.Error, StringComparison.Ordinal);
        Assert.Equal(64, bad.ExitCode);
    }

    private static string Prompt(string output) => output[..(output.IndexOf("> ", StringComparison.Ordinal) + 2)];
}
