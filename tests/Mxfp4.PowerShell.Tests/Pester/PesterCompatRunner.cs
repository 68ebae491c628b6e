using System.Collections;
using System.Management.Automation;
using Mxfp4.Shell;

namespace Mxfp4.PowerShell.Tests.Pester;

/// <summary>
/// Runs Pester 5 files with the PesterCompat stand-in (Invoke-PesterCompatFile.ps1) in a fresh runspace that has
/// the staged Mxfp4 module imported, and converts its report into <see cref="PesterContainerResult"/>.
/// </summary>
public static class PesterCompatRunner
{
    private static string EntryScript => Path.Combine(RepositoryLayout.PesterCompatDirectory, "Invoke-PesterCompatFile.ps1");

    public static PesterContainerResult RunFile(string testFile)
    {
        var fullPath = Path.GetFullPath(testFile);
        ModuleSession session;
        try
        {
            session = new ModuleSession();
        }
        catch (InvalidOperationException exception)
        {
            return new PesterContainerResult(fullPath, [], [exception.Message], string.Empty);
        }

        using (session)
        {
            var result = session.Run(
                "& $entryScript -PesterCompatTestPath $testFile",
                new Dictionary<string, object?> { ["entryScript"] = EntryScript, ["testFile"] = fullPath });
            var containerErrors = new List<string>();
            if (result.TerminatingError is not null)
            {
                containerErrors.Add("The runner failed: " + ErrorRecordFormatter.Format(result.TerminatingError));
            }

            var report = result.Output.FirstOrDefault(item => item.TypeNames.Contains("PesterCompat.ContainerResult"));
            if (report is null)
            {
                containerErrors.Add("The runner returned no report.");
                return new PesterContainerResult(fullPath, [], containerErrors, result.Diagnostics);
            }

            containerErrors.AddRange(Items(report, "ContainerErrors").Select(item => item.ToString()));
            var tests = Items(report, "Tests").Select(ToTestResult).ToArray();
            return new PesterContainerResult(fullPath, tests, containerErrors, result.Diagnostics);
        }
    }

    /// <summary>Runs Pester file content given as text (written to a temporary *.Tests.ps1 file).</summary>
    public static PesterContainerResult RunText(string content)
    {
        var directory = Directory.CreateTempSubdirectory("PesterCompatSnippet-");
        try
        {
            var file = Path.Combine(directory.FullName, "Snippet.Tests.ps1");
            File.WriteAllText(file, content);
            return RunFile(file);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static PesterTestResult ToTestResult(PSObject test) => new(
        Text(test, "Name"),
        Enum.Parse<PesterOutcome>(Text(test, "Result")),
        Text(test, "Message"),
        Text(test, "ErrorId"),
        Text(test, "Position"),
        Text(test, "ScriptStackTrace"));

    private static string Text(PSObject item, string property) => item.Properties[property]?.Value?.ToString() ?? string.Empty;

    private static IEnumerable<PSObject> Items(PSObject item, string property) =>
        item.Properties[property]?.Value is IEnumerable values
            ? values.Cast<object>().Select(PSObject.AsPSObject)
            : [];
}
