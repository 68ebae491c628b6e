namespace Mxfp4.Core;

/// <summary>What kind of failure an engine exception is, so hosts (the cmdlets) can classify it without parsing text.</summary>
public enum Mxfp4ErrorCategory
{
    InvalidData,
    InvalidArgument,
    ObjectNotFound,
    ResourceExists,
    PermissionDenied,
    WriteError,
    ReadError,
    LimitsExceeded,
}

/// <summary>
/// Base of every error the engine reports on purpose. <see cref="ErrorId"/> is stable PascalCase text that the
/// cmdlets use as their error id; <see cref="Target"/> is the path or tensor the error is about.
/// </summary>
public class Mxfp4Exception : Exception
{
    public Mxfp4Exception(string errorId, Mxfp4ErrorCategory category, string message, object? target = null,
        Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorId = errorId;
        Category = category;
        Target = target;
    }

    public string ErrorId { get; }

    public Mxfp4ErrorCategory Category { get; }

    public object? Target { get; }
}
