using Xunit;

namespace Mxfp4.PowerShell.Tests;

public sealed class ModuleSessionTests
{
    [Fact]
    public void The_session_has_the_staged_module_imported_by_path()
    {
        using var session = new ModuleSession();

        var result = session.Run("Get-Module Mxfp4 | ForEach-Object { $_.Name; $_.ModuleBase }");

        Assert.Empty(result.Errors);
        Assert.Equal("Mxfp4", result.Output[0].BaseObject);
        Assert.StartsWith(session.ModulePath, (string)result.Output[1].BaseObject, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_returns_objects_errors_and_formatted_text_and_keeps_variables()
    {
        using var session = new ModuleSession();

        session.Run("$kept = 5");
        var result = session.Run(
            "[pscustomobject]@{ A = $kept; B = $given; C = 'c' }; Import-Module no-such-module-anywhere",
            new Dictionary<string, object?> { ["given"] = "g" });

        var item = Assert.Single(result.Output);
        Assert.Equal(5, item.Properties["A"].Value);
        Assert.Equal("g", item.Properties["B"].Value);
        Assert.StartsWith("Modules_ModuleNotFound", Assert.Single(result.Errors).FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Null(result.TerminatingError);
        Assert.Contains("A B C", result.HostText, StringComparison.Ordinal);
        Assert.Contains("5 g c", result.HostText, StringComparison.Ordinal);
    }

    [Fact]
    public void A_terminating_error_is_returned_not_thrown()
    {
        using var session = new ModuleSession();

        var result = session.Run("'first'; throw 'stop here'");

        Assert.Equal("first", Assert.Single(result.Output).BaseObject);
        Assert.Equal("stop here", result.TerminatingError?.Exception.Message);
        Assert.Same(result.TerminatingError, Assert.Single(result.Errors));
    }
}
