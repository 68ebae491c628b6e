using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace Mxfp4.Shell;

/// <summary>
/// Line-oriented host UI: output to <see cref="ShellStreams.Output"/>, diagnostics to <see cref="ShellStreams.Error"/>
/// with pwsh's prefixes, choices read from <see cref="ShellStreams.Input"/>.
/// </summary>
public sealed class ShellUserInterface : PSHostUserInterface
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(200);

    private readonly ShellStreams _streams;
    private readonly ShellRawUserInterface _rawUI;
    private readonly Stopwatch _sinceProgress = Stopwatch.StartNew();
    private bool _progressLineShown;

    public ShellUserInterface(ShellStreams streams)
    {
        _streams = streams;
        _rawUI = new ShellRawUserInterface(streams.BufferWidth);
    }

    public override PSHostRawUserInterface RawUI => _rawUI;

    public override bool SupportsVirtualTerminal => _streams.SupportsVirtualTerminal;

    public override string? ReadLine() => _streams.Input.ReadLine();

    public override SecureString ReadLineAsSecureString() =>
        throw new NotSupportedException("mxfp4-shell cannot read secure strings.");

    // GetOutputString strips pwsh's ANSI styling unless $PSStyle.OutputRendering and the terminal allow it.
    public override void Write(string value) => _streams.Output.Write(GetOutputString(value, SupportsVirtualTerminal));

    public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Write(value);

    public override void WriteLine(string value) => _streams.Output.WriteLine(GetOutputString(value, SupportsVirtualTerminal));

    public override void WriteErrorLine(string value)
    {
        ClearProgressLine();
        _streams.Error.WriteLine(GetOutputString(value, SupportsVirtualTerminal));
    }

    public override void WriteDebugLine(string message) => WriteErrorLine("DEBUG: " + message);

    public override void WriteVerboseLine(string message) => WriteErrorLine("VERBOSE: " + message);

    public override void WriteWarningLine(string message) => WriteErrorLine("WARNING: " + message);

    public override void WriteInformation(InformationRecord record)
    {
        // Only host-directed information (what Write-Host sends) is shown, as pwsh does by default.
        if (record.Tags.Contains("PSHOST"))
        {
            _streams.Output.WriteLine(record.MessageData?.ToString());
        }
    }

    public override void WriteProgress(long sourceId, ProgressRecord record)
    {
        if (!_streams.ShowProgress)
        {
            return;
        }

        if (record.RecordType == ProgressRecordType.Completed)
        {
            ClearProgressLine();
            return;
        }

        if (_progressLineShown && _sinceProgress.Elapsed < ProgressInterval)
        {
            return;
        }

        _sinceProgress.Restart();
        var percent = record.PercentComplete >= 0 ? string.Create(CultureInfo.InvariantCulture, $" {record.PercentComplete}%") : string.Empty;
        var line = $"{record.Activity}: {record.StatusDescription}{percent}";
        var width = Math.Max(_streams.BufferWidth - 1, 10);
        if (line.Length > width)
        {
            line = line[..width];
        }

        _streams.Error.Write("\r" + line.PadRight(width) + "\r");
        _progressLineShown = true;
    }

    public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) =>
        throw new NotSupportedException("mxfp4-shell does not support field prompts; pass every mandatory parameter.");

    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
        throw new NotSupportedException("mxfp4-shell does not support credential prompts.");

    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
        throw new NotSupportedException("mxfp4-shell does not support credential prompts.");

    public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
    {
        ArgumentNullException.ThrowIfNull(choices);
        if (!_streams.InputIsInteractive)
        {
            return defaultChoice;
        }

        var hotkeys = choices.Select(HotkeyOf).ToArray();
        while (true)
        {
            if (!string.IsNullOrEmpty(caption))
            {
                _streams.Output.WriteLine(caption);
            }

            if (!string.IsNullOrEmpty(message))
            {
                _streams.Output.WriteLine(message);
            }

            var menu = string.Join("  ", choices.Select((choice, index) => $"[{hotkeys[index]}] {choice.Label.Replace("&", string.Empty, StringComparison.Ordinal)}"));
            var defaultText = defaultChoice >= 0 && defaultChoice < choices.Count ? $" (default is \"{hotkeys[defaultChoice]}\")" : string.Empty;
            _streams.Output.Write($"{menu}{defaultText}: ");
            var answer = _streams.Input.ReadLine();
            if (answer is null)
            {
                return defaultChoice;
            }

            answer = answer.Trim();
            if (answer.Length == 0 && defaultChoice >= 0)
            {
                return defaultChoice;
            }

            for (var index = 0; index < choices.Count; index++)
            {
                if (string.Equals(answer, hotkeys[index], StringComparison.OrdinalIgnoreCase)
                    || string.Equals(answer, choices[index].Label.Replace("&", string.Empty, StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase))
                {
                    return index;
                }
            }
        }
    }

    /// <summary>The character after '&amp;' in a choice label ("&amp;Yes" → "Y"), or the whole label.</summary>
    private static string HotkeyOf(ChoiceDescription choice)
    {
        var label = choice.Label;
        var marker = label.IndexOf('&', StringComparison.Ordinal);
        return marker >= 0 && marker + 1 < label.Length
            ? label[marker + 1].ToString().ToUpperInvariant()
            : label;
    }

    private void ClearProgressLine()
    {
        if (_progressLineShown)
        {
            _streams.Error.Write("\r" + new string(' ', Math.Max(_streams.BufferWidth - 1, 10)) + "\r");
            _progressLineShown = false;
        }
    }
}
