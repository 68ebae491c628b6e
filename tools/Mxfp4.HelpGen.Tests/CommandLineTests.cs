using System.Diagnostics;
using Xunit;

namespace Mxfp4.HelpGen.Tests;

/// <summary>The generator as the build runs it: a separate process, its exit code and its messages.</summary>
public sealed class CommandLineTests
{
    private static (int ExitCode, string Output, string Error) Run(params string[] arguments)
    {
        var generator = Path.Combine(AppContext.BaseDirectory, "Mxfp4.HelpGen.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(generator);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error);
    }

    [Fact]
    public void Valid_docs_exit_zero_and_name_the_files_written()
    {
        var output = Fixtures.NewOutputFolder();

        var (exitCode, stdout, _) = Run(Fixtures.Valid, output, "--help-file", Fixtures.HelpFile);

        Assert.Equal(0, exitCode);
        Assert.Contains(Path.Combine(output, Fixtures.HelpFile), stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "about_HelpGenFixture.help.txt")));
    }

    [Fact]
    public void Invalid_page_exits_non_zero_with_file_and_line()
    {
        var docs = Fixtures.FolderWithInvalidPage("Get-UnknownYamlKey.md");

        var (exitCode, _, stderr) = Run(docs, Fixtures.NewOutputFolder(), "--help-file", Fixtures.HelpFile);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{Path.Combine(docs, "Get-UnknownYamlKey.md")}:86: invalid yaml: unknown key 'Mandatory'", stderr,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_docs_folder_exits_one()
    {
        var missing = Path.Combine(Fixtures.NewScratchFolder(), "no-such-docs");

        var (exitCode, _, stderr) = Run(missing, Fixtures.NewOutputFolder());

        Assert.Equal(1, exitCode);
        Assert.Contains($"{missing}: docs folder not found", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData]
    [InlineData("only-one")]
    [InlineData("a", "b", "--bogus", "c")]
    public void Wrong_arguments_print_usage_and_exit_two(params string[] arguments)
    {
        var (exitCode, _, stderr) = Run(arguments);

        Assert.Equal(2, exitCode);
        Assert.StartsWith("usage: Mxfp4.HelpGen <docsDir> <outDir>", stderr, StringComparison.Ordinal);
    }
}
