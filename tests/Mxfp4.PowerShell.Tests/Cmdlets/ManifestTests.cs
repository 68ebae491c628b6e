using System.Reflection;
using System.Text.RegularExpressions;
using Xunit;

namespace Mxfp4.PowerShell.Tests.Cmdlets;

/// <summary>The staged module is what pwsh will load: a valid manifest that says exactly what the DLL holds.</summary>
public sealed class ManifestTests : IDisposable
{
    private readonly ModuleSession _session = new();

    public void Dispose() => _session.Dispose();

    [Fact]
    public void Test_ModuleManifest_accepts_the_staged_manifest()
    {
        var result = _session.Run("Test-ModuleManifest -Path ([System.IO.Path]::Combine($modulePath, 'Mxfp4.psd1'))", new Dictionary<string,
            object?>
        { ["modulePath"] = StagedVersionDirectory() });
        Assert.Empty(result.Errors);
        Assert.Equal("Mxfp4", result.Output.Single().Properties["Name"].Value);
    }

    [Fact]
    public void Exported_cmdlets_are_exactly_CmdletsToExport()
    {
        string manifest = File.ReadAllText(Path.Combine(RepositoryLayout.RepositoryRoot, "Mxfp4.psd1"));
        var listed = Regex.Match(manifest, @"CmdletsToExport\s*=\s*@\(([^)]*)\)").Groups[1].Value;
        var declared = Regex.Matches(listed, "'([^']+)'").Select(m => m.Groups[1].Value).Order().ToArray();

        var result = _session.Run("Get-Command -Module Mxfp4 | ForEach-Object Name");
        var exported = result.Output.Select(o => (string)o.BaseObject).Order().ToArray();

        var implemented = _session.Run(
                "foreach ($type in [Mxfp4.PowerShell.Infrastructure.Mxfp4Cmdlet].Assembly.GetExportedTypes()) { " +
                "$a = [System.Attribute]::GetCustomAttribute($type, [System.Management.Automation.CmdletAttribute]); if ($a) { "
                    + "$a.VerbName + '-' + $a.NounName } }")
            .Output.Select(o => (string)o.BaseObject)
            .Order()
            .ToArray();

        Assert.Equal(
            ["Compare-SafetensorsCheckpoint", "ConvertFrom-Mxfp4", "ConvertTo-Mxfp4", "Get-Mxfp4Tensor", "Get-SafetensorsHeader",
            "Invoke-Mxfp4MatVec", "Test-SafetensorsCheckpoint"], declared);
        Assert.Equal(declared, exported);
        Assert.Equal(declared, implemented);
    }

    [Fact]
    public void Manifest_version_is_the_assembly_version_and_the_staging_folder()
    {
        string manifest = File.ReadAllText(Path.Combine(RepositoryLayout.RepositoryRoot, "Mxfp4.psd1"));
        var version = Version.Parse(Regex.Match(manifest, @"ModuleVersion\s*=\s*'([^']+)'").Groups[1].Value);
        var staged = StagedVersionDirectory();

        Assert.Equal(version.ToString(), Path.GetFileName(staged));
        foreach (var dll in new[] { "Mxfp4.Loader.dll", "Mxfp4.PowerShell.dll", "Mxfp4.Core.dll" })
        {
            var assemblyVersion = AssemblyName.GetAssemblyName(Path.Combine(staged, "bin", dll)).Version!;
            Assert.Equal(version, new Version(assemblyVersion.Major, assemblyVersion.Minor, assemblyVersion.Build));
        }
    }

    [Fact]
    public void Staged_folder_holds_manifest_views_and_help_with_every_assembly_in_bin_and_no_PowerShell_engine()
    {
        var files = Directory.GetFiles(StagedVersionDirectory(), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(StagedVersionDirectory(), f).Replace('\\', '/'))
            .ToArray();

        // Only the manifest, the root script, views and help beside each other; every assembly in bin/, where pwsh's
        // default load context never looks and the module's own context loads them from.
        Assert.Equal(
            ["Mxfp4.Format.ps1xml", "Mxfp4.psd1", "Mxfp4.psm1", "bin/Mxfp4.Core.dll", "bin/Mxfp4.Loader.dll", "bin/Mxfp4.PowerShell.dll",
             "bin/System.Numerics.Tensors.dll", "en-US/Mxfp4.PowerShell.dll-Help.xml", "en-US/about_Mxfp4.help.txt"],
            files.Order(StringComparer.Ordinal));
    }

    private static string StagedVersionDirectory()
        => Directory.GetDirectories(Path.Combine(RepositoryLayout.RepositoryRoot, "output", "Mxfp4")).Single();
}
