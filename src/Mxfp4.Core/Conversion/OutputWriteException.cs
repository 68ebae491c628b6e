namespace Mxfp4.Core.Conversion;

/// <summary>Writing an output failed (disk full, permissions, a device error); nothing of it was left behind.</summary>
public sealed class OutputWriteException : Mxfp4Exception
{
    public OutputWriteException(string path, string message, Exception? innerException = null)
        : base(ErrorIds.OutputWriteFailed, Mxfp4ErrorCategory.WriteError, message, path, innerException)
        => Path = path;

    public string Path { get; }
}
