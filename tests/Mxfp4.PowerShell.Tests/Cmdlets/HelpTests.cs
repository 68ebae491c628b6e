using System.Management.Automation;
using Xunit;

namespace Mxfp4.PowerShell.Tests.Cmdlets;

/// <summary>Full help for every cmdlet and parameter, compiled from docs/en-US into the staged module's MAML.</summary>
public sealed class HelpTests : IDisposable
{
    private readonly ModuleSession _session = new();

    public static TheoryData<string> Cmdlets
        => new() { "Get-SafetensorsHeader", "Get-Mxfp4Tensor", "ConvertFrom-Mxfp4", "Invoke-Mxfp4MatVec" };

    public void Dispose() => _session.Dispose();

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Full_help_has_synopsis_description_parameters_and_examples(string cmdlet)
    {
        var help = Single($"Get-Help {cmdlet} -Full");
        Assert.False(string.IsNullOrWhiteSpace(Text(help.Properties["Synopsis"]?.Value)));
        Assert.NotEqual(cmdlet, Text(help.Properties["Synopsis"]?.Value).Trim());
        Assert.False(string.IsNullOrWhiteSpace(Text(Property(help, "description"))));
        var examples = Items(Property(Property(help, "examples"), "example"));
        Assert.True(examples.Count >= 2, $"{cmdlet} has {examples.Count} examples.");
        Assert.All(examples, e => Assert.False(string.IsNullOrWhiteSpace(Text(Property(e, "code")))));
    }

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Every_parameter_of_the_cmdlet_is_described(string cmdlet)
    {
        var declared = _session.Run($"(Get-Command {cmdlet}).Parameters.Keys").Output.Select(o => (string)o.BaseObject)
            .Except(Cmdlet.CommonParameters)
            .ToArray();
        var help = Single($"Get-Help {cmdlet} -Full");
        var described = Items(Property(Property(help, "parameters"), "parameter"))
            .ToDictionary(p => Text(Property(p, "name")), p => Text(Property(p, "description")), StringComparer.OrdinalIgnoreCase);

        Assert.NotEmpty(declared);
        Assert.All(declared, name =>
        {
            Assert.True(described.TryGetValue(name, out var description), $"{cmdlet} -{name} has no help.");
            Assert.False(string.IsNullOrWhiteSpace(description), $"{cmdlet} -{name} has an empty description.");
        });
        Assert.All(described.Keys, name => Assert.Contains(name, declared, StringComparer.OrdinalIgnoreCase));
    }

    [Fact]
    public void Full_help_renders_in_the_host()
    {
        var result = _session.Run("Get-Help ConvertFrom-Mxfp4 -Full");
        Assert.Empty(result.Errors);
        foreach (var section in new[] { "SYNOPSIS", "SYNTAX", "DESCRIPTION", "PARAMETERS", "-Destination", "-AsByteStream", "Example 1" })
        {
            Assert.Contains(section, result.HostText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_about_topic_is_found()
    {
        string modules = Path.GetDirectoryName(_session.ModulePath.TrimEnd(Path.DirectorySeparatorChar))!;
        var result = _session.Run(
            "$env:PSModulePath = $modules + [System.IO.Path]::PathSeparator + $env:PSModulePath; Get-Help about_Mxfp4",
            new Dictionary<string, object?> { ["modules"] = modules });
        Assert.Empty(result.Errors);
        Assert.Contains("MXFP4", result.HostText, StringComparison.Ordinal);
        Assert.Contains("InvalidSafetensorsHeader", result.HostText, StringComparison.Ordinal);
    }

    private static object? Property(object? value, string name)
        => value is null ? null : PSObject.AsPSObject(value).Properties[name]?.Value;

    private static List<object> Items(object? value) => value switch
    {
        null => [],
        object[] array => [.. array],
        PSObject { BaseObject: object[] array } => [.. array],
        _ => [value],
    };

    /// <summary>MAML text comes as strings or as arrays of paragraph objects with a Text property.</summary>
    private static string Text(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        PSObject { BaseObject: string s } => s,
        _ => string.Join("\n",
            Items(value).Select(i => Property(i, "Text")?.ToString() ?? (i is PSObject p && p.BaseObject is string t ? t : string.Empty))),
    };

    private PSObject Single(string script)
    {
        var result = _session.Run(script);
        Assert.Empty(result.Errors);
        return Assert.Single(result.Output);
    }
}
