using System.Globalization;
using System.Management.Automation.Host;

namespace Mxfp4.Shell;

/// <summary>
/// The PSHost of mxfp4-shell. Records the code that <c>exit N</c> asks for (the engine reports it through
/// <see cref="SetShouldExit"/>).
/// </summary>
public sealed class ShellHost : PSHost
{
    private readonly ShellUserInterface _ui;

    public ShellHost(ShellStreams streams)
    {
        _ui = new ShellUserInterface(streams);
    }

    public override CultureInfo CurrentCulture => CultureInfo.CurrentCulture;

    public override CultureInfo CurrentUICulture => CultureInfo.CurrentUICulture;

    public override Guid InstanceId { get; } = Guid.NewGuid();

    public override string Name => "mxfp4-shell";

    public override PSHostUserInterface UI => _ui;

    public override Version Version { get; } = typeof(ShellHost).Assembly.GetName().Version ?? new Version(0, 0);

    /// <summary>The exit code requested by <c>exit</c>, or null while no script has exited.</summary>
    public int? RequestedExitCode { get; private set; }

    /// <summary>Forgets an earlier <c>exit</c> request.</summary>
    public void ClearExitRequest() => RequestedExitCode = null;

    public override void EnterNestedPrompt() =>
        throw new NotSupportedException("mxfp4-shell has no nested prompts.");

    public override void ExitNestedPrompt() =>
        throw new NotSupportedException("mxfp4-shell has no nested prompts.");

    public override void NotifyBeginApplication()
    {
    }

    public override void NotifyEndApplication()
    {
    }

    public override void SetShouldExit(int exitCode) => RequestedExitCode = exitCode;
}
