using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace Mxfp4.PowerShell.Tests;

/// <summary>
/// A runspace of the full PowerShell engine (Microsoft.PowerShell.SDK: every cmdlet pwsh has) with the staged
/// module (output/Mxfp4) imported by path exactly as pwsh imports it, for cmdlet tests:
/// <code>
/// using var session = new ModuleSession();
/// var result = session.Run("Get-SafetensorsHeader -Path $path", new Dictionary&lt;string, object?&gt; { ["path"] = file });
/// // result.Output: emitted objects; result.Errors: error records; result.HostText: the formatted table
/// </code>
/// Each <see cref="Run"/> shares the runspace (variables persist between calls); dispose to close it. Not thread-safe.
/// </summary>
public sealed class ModuleSession : IDisposable
{
    /// <summary>The width pwsh lays tables out in when its output is redirected, as in CI logs.</summary>
    public const int HostWidth = 120;

    /// <summary>Opens a runspace and imports the staged module; throws when the module is missing or fails to import.</summary>
    public ModuleSession()
        : this(RepositoryLayout.StagedModule)
    {
    }

    /// <summary>Opens a runspace and imports the module at <paramref name="modulePath"/> (folder or manifest).</summary>
    public ModuleSession(string modulePath)
    {
        ModulePath = modulePath;
        Runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        Runspace.Open();
        var import = Run("Import-Module -Name $modulePath -ErrorAction Stop", new Dictionary<string,
            object?>
        { ["modulePath"] = modulePath });
        if (import.Errors.Count > 0)
        {
            Runspace.Dispose();
            throw new InvalidOperationException(
                $"Importing {modulePath} failed: {import.Errors[0].FullyQualifiedErrorId}: {import.Errors[0].Exception.Message}");
        }
    }

    public string ModulePath { get; }

    public Runspace Runspace { get; }

    /// <summary>
    /// Runs <paramref name="script"/> after setting <paramref name="variables"/> (global scope), then formats its
    /// output with <c>Out-String</c> at <see cref="HostWidth"/> into <see cref="ScriptResult.HostText"/>. Never
    /// throws for script errors.
    /// </summary>
    public ScriptResult Run(string script, IReadOnlyDictionary<string, object?>? variables = null)
    {
        foreach (var (name, value) in variables ?? new Dictionary<string, object?>())
        {
            Runspace.SessionStateProxy.SetVariable(name, value);
        }

        // A caller-owned output collection keeps what the script emitted before a terminating error.
        using var output = new PSDataCollection<PSObject>();
        var errors = new List<ErrorRecord>();
        var diagnostics = new List<string>();
        ErrorRecord? terminating = null;
        using (var shell = System.Management.Automation.PowerShell.Create(Runspace))
        {
            shell.AddScript(script);
            try
            {
                shell.Invoke(null, output);
            }
            catch (RuntimeException exception)
            {
                terminating = exception.ErrorRecord;
            }

            errors.AddRange(shell.Streams.Error);
            diagnostics.AddRange(shell.Streams.Warning.Select(record => $"WARNING: {record.Message}"));
            diagnostics.AddRange(shell.Streams.Verbose.Select(record => $"VERBOSE: {record.Message}"));
        }

        if (terminating is not null)
        {
            errors.Add(terminating);
        }

        string hostText = string.Empty;
        if (output.Count > 0)
        {
            using var formatter = System.Management.Automation.PowerShell.Create(Runspace);
            hostText = string.Concat(formatter.AddCommand("Out-String").AddParameter("Width", HostWidth).Invoke<string>(output));
        }

        return new ScriptResult(output.ToArray(), errors, terminating, hostText, string.Join(Environment.NewLine, diagnostics));
    }

    public void Dispose() => Runspace.Dispose();
}
