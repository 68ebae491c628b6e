namespace Mxfp4.Core.FileSystem;

/// <summary>A file the engine must read (or replace) is not a regular file: a directory, device, FIFO or socket. <c>role</c> is appended to
/// the message as written (start it with "; " or " (").</summary>
public sealed class UnsupportedFileTypeException : Mxfp4Exception
{
    public UnsupportedFileTypeException(string path, FileKind kind, string? role = null)
        : base(ErrorIds.UnsupportedFileType, Mxfp4ErrorCategory.InvalidData, Describe(path, kind, role), path)
    {
        Path = path;
        Kind = kind;
    }

    public string Path { get; }

    public FileKind Kind { get; }

    private static string Describe(string path, FileKind kind, string? role)
        => $"'{path}' is {FileStatus.Describe(kind)}, not a regular file{role}.";
}
