using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using System.Text;

namespace Mxfp4.Shell;

/// <summary>
/// One hosted PowerShell runspace with the staged Mxfp4 module imported, run the way pwsh runs commands: every
/// pipeline ends in Out-Default (so format views apply), error records go to stderr as
/// "<c>FullyQualifiedErrorId: message</c>", and each Run method returns pwsh's exit code.
/// </summary>
public sealed class ShellSession : IDisposable
{
    /// <summary>pwsh's exit code after Ctrl+C stopped the command (128 + SIGINT).</summary>
    public const int InterruptedExitCode = 130;

    private readonly ShellStreams _streams;
    private readonly Lock _runningGate = new();
    private PowerShell? _running;

    private ShellSession(ShellStreams streams, string? modulePath)
    {
        _streams = streams;
        Host = new ShellHost(streams);
        Runspace = RunspaceFactory.CreateRunspace(Host, InitialSessionState.CreateDefault2());
        Runspace.Open();
        if (modulePath is not null)
        {
            ImportModule(modulePath);
        }
    }

    /// <summary>The open runspace every command runs in.</summary>
    public Runspace Runspace { get; }

    public ShellHost Host { get; }

    /// <summary>The module path imported at start-up, or null when none was found.</summary>
    public string? ImportedModulePath { get; private set; }

    /// <summary>
    /// Opens a session and imports the module from <paramref name="modulePath"/> (default: <see cref="ModuleLocator"/>);
    /// when no module is found it warns on the error stream and runs without it.
    /// </summary>
    public static ShellSession Open(ShellStreams streams, string? modulePath = null)
    {
        ArgumentNullException.ThrowIfNull(streams);
        modulePath ??= ModuleLocator.FindModulePath();
        if (modulePath is null)
        {
            streams.Error.WriteLine($"WARNING: Mxfp4 module not found (no output/Mxfp4 above {AppContext.BaseDirectory}; set {ModuleLocator.OverrideVariable}); running without it.");
        }

        return new ShellSession(streams, modulePath);
    }

    /// <summary>Runs script text like <c>pwsh -Command</c>: 0 when no error record was written, 1 otherwise, N after <c>exit N</c>.</summary>
    public int RunCommand(string script)
    {
        ArgumentNullException.ThrowIfNull(script);
        Host.ClearExitRequest();
        var outcome = InvokeScript(script);
        return ExitCodeOf(outcome);
    }

    /// <summary>
    /// Runs a script file like <c>pwsh -File</c>: "-Name" arguments bind to the script's parameters, the rest are
    /// positional (or land in <c>$args</c>).
    /// </summary>
    public int RunFile(string path, IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(arguments);
        Host.ClearExitRequest();
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            _streams.Error.WriteLine($"The argument '{path}' is not recognized as the name of a script file. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.");
            return 64;
        }

        Runspace.SessionStateProxy.SetVariable("global:LASTEXITCODE", null);
        var outcome = Invoke(shell =>
        {
            shell.AddCommand(fullPath);
            foreach (var parameter in ScriptArgumentBinder.ToParameters(arguments))
            {
                shell.Commands.Commands[^1].Parameters.Add(parameter);
            }
        });
        // A script file's "exit N" ends only the script and leaves N in $LASTEXITCODE, which pwsh -File returns.
        return Runspace.SessionStateProxy.GetVariable("LASTEXITCODE") is int scriptExitCode ? scriptExitCode : ExitCodeOf(outcome);
    }

    /// <summary>
    /// Reads statements from the input (continuing lines while the parser reports incomplete input) and runs each;
    /// ends at <c>exit</c> or end of input and returns the exit code <c>exit</c> gave (0 otherwise).
    /// </summary>
    public int RunInteractive()
    {
        Host.ClearExitRequest();
        var statement = new StringBuilder();
        while (true)
        {
            _streams.Output.Write(statement.Length == 0 ? $"PS {CurrentLocation()}> " : ">> ");
            _streams.Output.Flush();
            var line = _streams.Input.ReadLine();
            if (line is null)
            {
                _streams.Output.WriteLine();
                return 0;
            }

            statement.AppendLine(line);
            var text = statement.ToString();
            Parser.ParseInput(text, out _, out var parseErrors);
            if (parseErrors.Length > 0 && parseErrors.All(error => error.IncompleteInput) && line.Length > 0)
            {
                continue;
            }

            statement.Clear();
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            InvokeScript(text);
            if (Host.RequestedExitCode is int exitCode)
            {
                return exitCode;
            }
        }
    }

    /// <summary>Stops the running command (Ctrl+C); the Run method then returns <see cref="InterruptedExitCode"/>.</summary>
    public void Stop()
    {
        lock (_runningGate)
        {
            _running?.BeginStop(null, null);
        }
    }

    public void Dispose() => Runspace.Dispose();

    private void ImportModule(string modulePath)
    {
        using var shell = PowerShell.Create(Runspace);
        shell.AddCommand("Import-Module").AddParameter("Name", modulePath).AddParameter("ErrorAction", ActionPreference.Stop);
        try
        {
            shell.Invoke();
            ImportedModulePath = modulePath;
        }
        catch (RuntimeException exception)
        {
            _streams.Error.WriteLine($"WARNING: could not import the Mxfp4 module from {modulePath}; running without it.");
            _streams.Error.WriteLine(ErrorRecordFormatter.Format(exception.ErrorRecord));
        }
    }

    /// <summary>Parses first so every syntax error is reported with its position, as pwsh does.</summary>
    private InvocationOutcome InvokeScript(string script)
    {
        Parser.ParseInput(script, out _, out var parseErrors);
        if (parseErrors.Length > 0)
        {
            foreach (var error in parseErrors)
            {
                Host.UI.WriteErrorLine(ErrorRecordFormatter.Format(error));
            }

            return InvocationOutcome.Failed;
        }

        return Invoke(shell => shell.AddScript(script));
    }

    private InvocationOutcome Invoke(Action<PowerShell> addCommands)
    {
        using var shell = PowerShell.Create(Runspace);
        addCommands(shell);
        shell.AddCommand("Out-Default");
        var errorsWritten = false;
        shell.Streams.Error.DataAdded += (sender, args) =>
        {
            var record = ((PSDataCollection<ErrorRecord>)sender!)[args.Index];
            errorsWritten = true;
            WriteError(record);
        };

        lock (_runningGate)
        {
            _running = shell;
        }

        try
        {
            shell.Invoke();
            if (shell.InvocationStateInfo.State == PSInvocationState.Stopped)
            {
                return InvocationOutcome.Stopped;
            }

            return errorsWritten ? InvocationOutcome.Failed : InvocationOutcome.Succeeded;
        }
        catch (PipelineStoppedException)
        {
            return InvocationOutcome.Stopped;
        }
        catch (ParseException exception) when (exception.Errors is { Length: > 0 })
        {
            foreach (var error in exception.Errors)
            {
                Host.UI.WriteErrorLine(ErrorRecordFormatter.Format(error));
            }

            return InvocationOutcome.Failed;
        }
        catch (RuntimeException exception)
        {
            WriteError(exception.ErrorRecord);
            return InvocationOutcome.Failed;
        }
        finally
        {
            lock (_runningGate)
            {
                _running = null;
            }

            _streams.Output.Flush();
            _streams.Error.Flush();
        }
    }

    private void WriteError(ErrorRecord record) => Host.UI.WriteErrorLine(ErrorRecordFormatter.Format(record));

    private int ExitCodeOf(InvocationOutcome outcome) => Host.RequestedExitCode ?? outcome switch
    {
        InvocationOutcome.Succeeded => 0,
        InvocationOutcome.Stopped => InterruptedExitCode,
        _ => 1,
    };

    private string CurrentLocation()
    {
        try
        {
            return Runspace.SessionStateProxy.Path.CurrentLocation.Path;
        }
        catch (PSInvalidOperationException)
        {
            return Environment.CurrentDirectory;
        }
    }

    private enum InvocationOutcome
    {
        Succeeded,
        Failed,
        Stopped,
    }
}
