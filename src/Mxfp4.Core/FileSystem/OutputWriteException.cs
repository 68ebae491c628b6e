// The namespace is not the folder's: it reaches users as ErrorRecord.Exception, whose
// full type name they see and may catch; so it keeps the name it was published with.
#pragma warning disable IDE0130 // Namespace does not match folder structure
namespace Mxfp4.Core.Conversion;
#pragma warning restore IDE0130

/// <summary>Writing an output failed (disk full, permissions, a device error); nothing of it was left behind.</summary>
public sealed class OutputWriteException : Mxfp4Exception
{
    public OutputWriteException(string path, string message, Exception? innerException = null)
        : base(ErrorIds.OutputWriteFailed, Mxfp4ErrorCategory.WriteError, message, path, innerException)
        => Path = path;

    public string Path { get; }
}
