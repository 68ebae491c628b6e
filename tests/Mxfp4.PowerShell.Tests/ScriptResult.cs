using System.Management.Automation;

namespace Mxfp4.PowerShell.Tests;

/// <summary>What one script run in a <see cref="ModuleSession"/> produced.</summary>
/// <param name="Output">The objects the pipeline emitted, unformatted.</param>
/// <param name="Errors">Every error record: the non-terminating ones, then the terminating one if the script stopped.</param>
/// <param name="TerminatingError">The error that stopped the script, or null when it ran to the end.</param>
/// <param name="HostText">The output objects as pwsh prints them (Out-Default through the module's format views).</param>
/// <param name="Diagnostics">Warning, verbose and debug lines the host received ("WARNING: ..." etc.).</param>
public sealed record ScriptResult(
    IReadOnlyList<PSObject> Output,
    IReadOnlyList<ErrorRecord> Errors,
    ErrorRecord? TerminatingError,
    string HostText,
    string Diagnostics);
