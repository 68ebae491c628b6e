using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Mxfp4.Shell;

namespace Mxfp4.PowerShell.Tests;

/// <summary>
/// A hosted PowerShell runspace with the staged Mxfp4 module (output/Mxfp4, found by <see cref="ModuleLocator"/>)
/// imported exactly as pwsh imports it, for cmdlet tests:
/// <code>
/// using var session = new ModuleSession();
/// var result = session.Run("Get-SafetensorsHeader -Path $path", new Dictionary&lt;string, object?&gt; { ["path"] = file });
/// // result.Output: emitted objects; result.Errors: error records; result.HostText: the formatted table
/// </code>
/// Each <see cref="Run"/> shares the runspace (variables persist between calls); dispose to close it. Not thread-safe.
/// </summary>
public sealed class ModuleSession : IDisposable
{
    private readonly StringWriter _hostOutput = new();
    private readonly StringWriter _hostDiagnostics = new();

    /// <summary>Opens a runspace and imports the staged module; throws when the module is missing or fails to import.</summary>
    public ModuleSession()
        : this(ModuleLocator.FindModulePath() ?? throw new InvalidOperationException("The staged module output/Mxfp4 was not found; build src/Mxfp4.PowerShell first."))
    {
    }

    /// <summary>Opens a runspace and imports the module at <paramref name="modulePath"/> (folder or manifest).</summary>
    public ModuleSession(string modulePath)
    {
        ModulePath = modulePath;
        Runspace = RunspaceFactory.CreateRunspace(new ShellHost(new ShellStreams(_hostOutput, _hostDiagnostics, TextReader.Null)), InitialSessionState.CreateDefault2());
        Runspace.Open();
        var import = Run("Import-Module -Name $modulePath -ErrorAction Stop", new Dictionary<string, object?> { ["modulePath"] = modulePath });
        if (import.Errors.Count > 0)
        {
            Runspace.Dispose();
            throw new InvalidOperationException($"Importing {modulePath} failed: {ErrorRecordFormatter.Format(import.Errors[0])}");
        }
    }

    public string ModulePath { get; }

    public Runspace Runspace { get; }

    /// <summary>
    /// Runs <paramref name="script"/> after setting <paramref name="variables"/> (global scope), then formats its
    /// output with Out-Default into <see cref="ScriptResult.HostText"/>. Never throws for script errors.
    /// </summary>
    public ScriptResult Run(string script, IReadOnlyDictionary<string, object?>? variables = null)
    {
        foreach (var (name, value) in variables ?? new Dictionary<string, object?>())
        {
            Runspace.SessionStateProxy.SetVariable(name, value);
        }

        _hostOutput.GetStringBuilder().Clear();
        _hostDiagnostics.GetStringBuilder().Clear();
        // A caller-owned output collection keeps what the script emitted before a terminating error.
        using var output = new PSDataCollection<PSObject>();
        var errors = new List<ErrorRecord>();
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
        }

        if (terminating is not null)
        {
            errors.Add(terminating);
        }

        if (output.Count > 0)
        {
            using var formatter = System.Management.Automation.PowerShell.Create(Runspace);
            formatter.AddCommand("Out-Default").Invoke(output);
        }

        return new ScriptResult(output.ToArray(), errors, terminating, _hostOutput.ToString(), _hostDiagnostics.ToString());
    }

    public void Dispose()
    {
        Runspace.Dispose();
        _hostOutput.Dispose();
        _hostDiagnostics.Dispose();
    }
}
