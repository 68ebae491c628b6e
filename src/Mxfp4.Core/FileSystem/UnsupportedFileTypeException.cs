namespace Mxfp4.Core.FileSystem;

/// <summary>A file the engine must read (or replace) is not a regular file: a directory, device, FIFO or socket. <c>role</c> is appended to the message as written (start it with "; " or " (").</summary>
public sealed class UnsupportedFileTypeException : Mxfp4Exception
{
    public UnsupportedFileTypeException(string path, FileKind kind, string? role = null)
        : base("UnsupportedFileType", Mxfp4ErrorCategory.InvalidData, Describe(path, kind, role), path)
    {
        Path = path;
        Kind = kind;
    }

    public UnsupportedFileTypeException()
        : this(string.Empty, FileKind.Unknown)
    {
    }

    public UnsupportedFileTypeException(string message)
        : base("UnsupportedFileType", Mxfp4ErrorCategory.InvalidData, message)
    {
        Path = string.Empty;
    }

    public UnsupportedFileTypeException(string message, Exception innerException)
        : base("UnsupportedFileType", Mxfp4ErrorCategory.InvalidData, message, null, innerException)
    {
        Path = string.Empty;
    }

    public string Path { get; }

    public FileKind Kind { get; }

    private static string Describe(string path, FileKind kind, string? role)
        => $"'{path}' is {FileStatus.Describe(kind)}, not a regular file{role}.";
}
