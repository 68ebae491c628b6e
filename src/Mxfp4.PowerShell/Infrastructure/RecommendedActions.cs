using System.Management.Automation;
using Mxfp4.Core;
using Mxfp4.Core.Conversion;

namespace Mxfp4.PowerShell.Infrastructure;

/// <summary>
/// What the user can do about an error, in the words of the cmdlets' parameters. The engine's message states the fact
/// (it knows no parameters); the advice is set here as ErrorDetails.RecommendedAction, which the default error view
/// shows as "Recommendation:". Looked up by error id, and where an id's advice depends on the command or its
/// parameters, by those too.
/// </summary>
internal static class RecommendedActions
{
    private const string ConvertFrom = "ConvertFrom-Mxfp4";
    private const string ConvertTo = "ConvertTo-Mxfp4";

    private static readonly Advice[] Table =
    [
        new(
            ErrorIds.OutputExists,
            "Give a -Destination that is a directory, or a path that does not exist yet.",
            (call, exception) => Bound(call, "Destination")
                && exception is Mxfp4Exception { Target: string destination } && File.Exists(destination)),
        new(
            ErrorIds.OutputExists,
            "Add -Force to write into the destination and replace files of the same names; "
                + "it also removes the temporary files of a stopped conversion.",
            (call, _) => Bound(call, "Destination")),
        new(ErrorIds.OutputExists, "Add -Force to replace the file, or choose another -OutFile.", (call, _) => Bound(call, "OutFile")),
        new(
            ErrorIds.TensorTooLarge,
            "Use -OutFile or -AsStream, or select a part with -Expert or -Row (or raise -MemoryLimit).",
            (call, _) => call.MyCommand.Name == ConvertFrom),
        new(
            ErrorIds.TensorTooLarge,
            "Encode the whole checkpoint with -Path and -Destination instead.",
            (call, _) => call.MyCommand.Name == ConvertTo),
        new(ErrorIds.LayoutNotSupported, "Use -Layout Natural."),
        new(
            ErrorIds.LimitsExceeded,
            "Use -Layout Natural, which converts experts without transposing them in memory.",
            (call, _) => Bound(call, "Layout") && call.BoundParameters["Layout"] is ConversionLayout.Transformers),
        new(
            ErrorIds.ExpertOutOfRange,
            "Give -Expert numbers from 0 to one less than the tensor's number of experts (its first dimension)."),
        new(ErrorIds.RowOutOfRange, "Give -Row numbers from 0 to one less than the number of rows (of each expert, with -Expert)."),
        new(
            ErrorIds.InvalidSlice,
            "Give -Expert only for a 3-D [experts, rows, columns] tensor; select rows of other tensors with -Row.",
            (call, _) => Bound(call, "Expert")),
        new(
            ErrorIds.UnsupportedFileType,
            "If the file is in the checkpoint directory, remove it or convert with -SafetensorsOnly (which copies only the "
                + "safetensors files); if it is in the destination, remove it or choose another -Destination.",
            (call, _) => Bound(call, "Destination")),
    ];

    /// <summary>
    /// Sets the record's RecommendedAction from the first row that applies; a record without advice is returned as it is.
    /// </summary>
    internal static ErrorRecord Apply(ErrorRecord record, Exception exception, InvocationInfo invocation)
    {
        string errorId = record.FullyQualifiedErrorId.Split(',')[0];
        foreach (var advice in Table)
        {
            if (advice.ErrorId == errorId && (advice.When is null || advice.When(invocation, exception)))
            {
                record.ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = advice.Action };
                break;
            }
        }

        return record;
    }

    private static bool Bound(InvocationInfo invocation, string parameter) => invocation.BoundParameters.ContainsKey(parameter);

    private sealed record Advice(string ErrorId, string Action, Func<InvocationInfo, Exception, bool>? When = null);
}
