using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text;

namespace Mxfp4.Shell;

/// <summary>
/// Renders error records as mxfp4-shell prints them on stderr: "<c>FullyQualifiedErrorId: message</c>", then the
/// script position (pwsh's "At line:… char:…" block) when the error carries one.
/// </summary>
public static class ErrorRecordFormatter
{
    public static string Format(ErrorRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var text = new StringBuilder();
        text.Append(record.FullyQualifiedErrorId).Append(": ").Append(MessageOf(record));
        var position = record.InvocationInfo is { ScriptLineNumber: > 0 } invocation ? invocation.PositionMessage : null;
        if (!string.IsNullOrWhiteSpace(position))
        {
            text.AppendLine().Append(position.TrimEnd());
        }

        return text.ToString();
    }

    public static string Format(ParseError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var extent = error.Extent;
        var where = string.IsNullOrEmpty(extent.File) ? "line" : extent.File;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{error.ErrorId}: {error.Message}{Environment.NewLine}At {where}:{extent.StartLineNumber} char:{extent.StartColumnNumber}{Environment.NewLine}+ {extent.StartScriptPosition.Line.TrimEnd()}");
    }

    /// <summary>The text pwsh shows for a record: its ErrorDetails message when set, else the exception message.</summary>
    public static string MessageOf(ErrorRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return string.IsNullOrEmpty(record.ErrorDetails?.Message) ? record.Exception.Message : record.ErrorDetails.Message;
    }
}
