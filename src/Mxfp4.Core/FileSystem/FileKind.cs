namespace Mxfp4.Core.FileSystem;

/// <summary>The type of a file system object, as the kernel reports it (S_IFMT).</summary>
public enum FileKind
{
    Regular,
    Directory,
    SymbolicLink,
    CharacterDevice,
    BlockDevice,
    Fifo,
    Socket,
    Unknown,
}
