using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;

namespace Mxfp4.HelpGen.Tests;

/// <summary>
/// A host that records what Out-Host prints. The hosted engine has only the Core cmdlets (no Out-String), so
/// Get-Help's rendered text is observed the way a console user sees it: through the host.
/// </summary>
internal sealed class CapturingHost : PSHost
{
    private readonly CapturingUserInterface _ui = new();

    public string Text => _ui.Text.ToString();

    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;

    public override CultureInfo CurrentUICulture => CultureInfo.GetCultureInfo("en-US");

    public override Guid InstanceId { get; } = Guid.NewGuid();

    public override string Name => nameof(CapturingHost);

    public override PSHostUserInterface UI => _ui;

    public override Version Version => new(1, 0);

    public override void EnterNestedPrompt() => throw new NotSupportedException();

    public override void ExitNestedPrompt() => throw new NotSupportedException();

    public override void NotifyBeginApplication()
    {
    }

    public override void NotifyEndApplication()
    {
    }

    public override void SetShouldExit(int exitCode)
    {
    }

    private sealed class CapturingUserInterface : PSHostUserInterface
    {
        private readonly FixedSizeRawUserInterface _rawUI = new();

        public StringBuilder Text { get; } = new();

        public override PSHostRawUserInterface RawUI => _rawUI;

        public override void Write(string value) => Text.Append(value);

        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Text.Append(value);

        public override void WriteLine(string value) => Text.Append(value).Append('\n');

        public override void WriteErrorLine(string value) => Text.Append("ERROR: ").Append(value).Append('\n');

        public override void WriteDebugLine(string message)
        {
        }

        public override void WriteProgress(long sourceId, ProgressRecord record)
        {
        }

        public override void WriteVerboseLine(string message)
        {
        }

        public override void WriteWarningLine(string message) => Text.Append("WARNING: ").Append(message).Append('\n');

        public override string ReadLine() => throw new NotSupportedException();

        public override SecureString ReadLineAsSecureString() => throw new NotSupportedException();

        public override Dictionary<string,
            PSObject> Prompt(string caption, string message, System.Collections.ObjectModel.Collection<FieldDescription> descriptions) =>
            throw new NotSupportedException();

        public override int PromptForChoice(string caption, string message,
            System.Collections.ObjectModel.Collection<ChoiceDescription> choices, int defaultChoice) =>
            throw new NotSupportedException();

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
            throw new NotSupportedException();

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName,
            PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
            throw new NotSupportedException();
    }

    /// <summary>A 120-column console, so rendered lines do not depend on the test runner's terminal.</summary>
    private sealed class FixedSizeRawUserInterface : PSHostRawUserInterface
    {
        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;

        public override Size BufferSize { get; set; } = new(120, 9999);

        public override Coordinates CursorPosition { get; set; }

        public override int CursorSize { get; set; }

        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;

        public override bool KeyAvailable => false;

        public override Size MaxPhysicalWindowSize => new(120, 50);

        public override Size MaxWindowSize => new(120, 50);

        public override Coordinates WindowPosition { get; set; }

        public override Size WindowSize { get; set; } = new(120, 50);

        public override string WindowTitle { get; set; } = string.Empty;

        public override void FlushInputBuffer()
        {
        }

        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();

        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException();

        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) =>
            throw new NotSupportedException();

        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) => throw new NotSupportedException();

        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) => throw new NotSupportedException();
    }
}
