using System.Management.Automation;
using Mxfp4.Core;

namespace Mxfp4.PowerShell.Infrastructure;

/// <summary>Turns engine exceptions into error records: the engine's error id, a PowerShell category, the path or tensor as
/// target.</summary>
internal static class ErrorRecords
{
    internal static ErrorRecord From(Mxfp4Exception exception, object? target = null)
        => new(exception, exception.ErrorId, ToCategory(exception.Category), target ?? exception.Target);

    internal static ErrorCategory ToCategory(Mxfp4ErrorCategory category) => category switch
    {
        Mxfp4ErrorCategory.InvalidData => ErrorCategory.InvalidData,
        Mxfp4ErrorCategory.InvalidArgument => ErrorCategory.InvalidArgument,
        Mxfp4ErrorCategory.ObjectNotFound => ErrorCategory.ObjectNotFound,
        Mxfp4ErrorCategory.ResourceExists => ErrorCategory.ResourceExists,
        Mxfp4ErrorCategory.PermissionDenied => ErrorCategory.PermissionDenied,
        Mxfp4ErrorCategory.WriteError => ErrorCategory.WriteError,
        Mxfp4ErrorCategory.ReadError => ErrorCategory.ReadError,
        Mxfp4ErrorCategory.LimitsExceeded => ErrorCategory.LimitsExceeded,
        _ => ErrorCategory.NotSpecified,
    };
}
