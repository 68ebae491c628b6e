using Mxfp4.Shell;
using Xunit;

namespace Mxfp4.PowerShell.Tests.Shell;

public sealed class ShellSessionTests
{
    [Fact]
    public async Task Stop_ends_a_running_command_with_exit_code_130_and_the_session_stays_usable()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var session = ShellSession.Open(new ShellStreams(TextWriter.Synchronized(output), TextWriter.Synchronized(error), TextReader.Null));

        var running = Task.Run(() => session.RunCommand("while ($true) { }"));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!running.IsCompleted && DateTime.UtcNow < deadline)
        {
            // Stop is a no-op until the command has started, as with an early Ctrl+C; keep pressing.
            session.Stop();
            await Task.WhenAny(running, Task.Delay(100));
        }

        Assert.True(running.IsCompleted, "Stop did not end the command within 30 s.");
        Assert.Equal(ShellSession.InterruptedExitCode, await running);
        Assert.Equal(0, session.RunCommand("'again'"));
        Assert.Contains("again", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_explicit_module_path_is_imported()
    {
        var modulePath = ModuleLocator.FindModulePath();
        Assert.NotNull(modulePath);
        using var session = ShellSession.Open(new ShellStreams(TextWriter.Null, TextWriter.Null, TextReader.Null), modulePath);

        Assert.Equal(modulePath, session.ImportedModulePath);
    }

    [Fact]
    public void The_locator_finds_output_Mxfp4_beside_the_manifest_above_the_start_folder()
    {
        var root = Directory.CreateTempSubdirectory("mxfp4-locator-");
        try
        {
            File.WriteAllText(Path.Combine(root.FullName, "Mxfp4.psd1"), "@{}");
            Directory.CreateDirectory(Path.Combine(root.FullName, "output", "Mxfp4"));
            var deep = Directory.CreateDirectory(Path.Combine(root.FullName, "a", "b", "c"));
            var noManifest = Directory.CreateTempSubdirectory("mxfp4-locator-none-");

            Assert.Equal(root.FullName, ModuleLocator.FindRepositoryRoot(deep.FullName));
            Assert.Null(ModuleLocator.FindRepositoryRoot(noManifest.FullName));
            noManifest.Delete();
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
