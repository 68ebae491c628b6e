using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Xunit;

namespace Mxfp4.HelpGen.Tests;

/// <summary>
/// The generated files as PowerShell sees them: a real engine imports this test assembly as a binary module
/// (whose cmdlet Get-HelpGenFixture finds its MAML in en-US beside the assembly) and Get-Help prints through a host.
/// One class, so the tests that touch the process-wide PSModulePath never run concurrently.
/// </summary>
public sealed class GetHelpRenderingTests
{
    private static readonly Lazy<string> AssemblyWithHelp = new(() =>
    {
        var assembly = typeof(GetHelpGenFixtureCommand).Assembly.Location;
        HelpGenerator.Generate(Fixtures.Valid, Path.Combine(Path.GetDirectoryName(assembly)!, "en-US"), Fixtures.HelpFile);
        return assembly;
    });

    private static string Render(string script)
    {
        var host = new CapturingHost();
        using var runspace = RunspaceFactory.CreateRunspace(host, InitialSessionState.CreateDefault2());
        runspace.Open();
        using var shell = PowerShell.Create(runspace);
        shell.AddScript(script).Invoke();
        Assert.Empty(shell.Streams.Error);
        return host.Text;
    }

    [Fact]
    public void Get_help_full_renders_synopsis_syntax_parameters_and_examples()
    {
        var text = Render($"Import-Module '{AssemblyWithHelp.Value}'; Get-Help Get-HelpGenFixture -Full | Out-Host");

        Assert.Contains("Reads fixture records for the help generator tests.", text, StringComparison.Ordinal);
        Assert.Contains("Get-HelpGenFixture [-Path] <String[]> [-Format {F32 | BF16 | F16}] [-Force] [<CommonParameters>]", text,
            StringComparison.Ordinal);
        Assert.Contains("Get-HelpGenFixture -LiteralPath <String[]> [-Format {F32 | BF16 | F16}] [-Force] [<CommonParameters>]", text,
            StringComparison.Ordinal);
        Assert.Contains("It reads nothing: it echoes each resolved path back as a record.", text, StringComparison.Ordinal);
        foreach (var description in new[]
        {
            "Paths of the fixture files; wildcards are expanded by the provider.",
            "Paths used exactly as written, without wildcard expansion.",
            "The number format of the returned records.",
            "Replaces cached records instead of reusing them.",
        })
        {
            Assert.Contains(description, text, StringComparison.Ordinal);
        }
        Assert.Contains("PSPath, LP", text, StringComparison.Ordinal);
        Assert.Contains("True (ByValue, ByPropertyName)", text, StringComparison.Ordinal);
        Assert.Contains("Get-HelpGenFixture -Path ./fixture-one.bin", text, StringComparison.Ordinal);
        Assert.Contains("'a.bin', 'b.bin' | Get-HelpGenFixture -Format BF16 -Force", text, StringComparison.Ordinal);
        Assert.Contains("Pipes two paths and asks for BF16 records, replacing cached ones.", text, StringComparison.Ordinal);
        Assert.Contains("The fixture cmdlet never touches the file system.", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Get_help_parameter_and_examples_views_read_the_same_file()
    {
        var text = Render(
            $"Import-Module '{AssemblyWithHelp.Value}'; Get-Help Get-HelpGenFixture -Parameter LiteralPath | Out-Host; Get-Help "
                + "Get-HelpGenFixture -Examples | Out-Host");

        Assert.Contains("-LiteralPath <String[]>", text, StringComparison.Ordinal);
        Assert.Contains("Paths used exactly as written, without wildcard expansion.", text, StringComparison.Ordinal);
        Assert.Contains("Example 2: Pipe paths in", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Related_links_name_sibling_pages_without_their_file_names()
    {
        var text = Render($"Import-Module '{AssemblyWithHelp.Value}'; Get-Help Get-HelpGenFixture -Full | Out-Host");

        var related = text[text.IndexOf("RELATED LINKS", StringComparison.Ordinal)..];
        Assert.Matches(@"(?m)^\s*about_HelpGenFixture\s*$", related);
        Assert.DoesNotContain("about_HelpGenFixture.md", related, StringComparison.Ordinal);
        Assert.Contains("Get-Help https://learn.microsoft.com/powershell/module/microsoft.powershell.core/get-help", related,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Help_object_exposes_the_maml_fields()
    {
        var host = new CapturingHost();
        using var runspace = RunspaceFactory.CreateRunspace(host, InitialSessionState.CreateDefault2());
        runspace.Open();
        using var shell = PowerShell.Create(runspace);
        var help = shell.AddScript($"Import-Module '{AssemblyWithHelp.Value}'; Get-Help Get-HelpGenFixture -Full").Invoke().Single();

        Assert.Contains("MamlCommandHelpInfo", help.TypeNames);
        Assert.Equal("Reads fixture records for the help generator tests.", help.Properties["Synopsis"].Value?.ToString());
    }

    [Fact]
    public void Get_help_about_topic_finds_help_txt_in_a_module_folder_on_the_module_path()
    {
        var modules = Fixtures.NewScratchFolder();
        var module = Directory.CreateDirectory(Path.Combine(modules, "HelpGenFixture")).FullName;
        File.WriteAllText(Path.Combine(module, "HelpGenFixture.psd1"), "@{ ModuleVersion = '1.0.0' }");
        HelpGenerator.Generate(Fixtures.Valid, Path.Combine(module, "en-US"), Fixtures.HelpFile);

        var text = Render($$"""
            $saved = $env:PSModulePath
            try { $env:PSModulePath = '{{modules}}'; Get-Help about_HelpGenFixture | Out-Host }
            finally { $env:PSModulePath = $saved }
            """);

        Assert.Contains("about_helpgenfixture", text, StringComparison.Ordinal);
        Assert.Contains("Describes the help generator's fixture module.", text, StringComparison.Ordinal);
        Assert.Contains("    Get-HelpGenFixture -Path ./fixture-one.bin", text, StringComparison.Ordinal);
    }
}
