using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Mxfp4.Core.Interop;

namespace Mxfp4.Core.FileSystem;

/// <summary>
/// What the kernel says about one file: its type, its identity (device and inode) and its size. On Linux it comes
/// from statx, of a path (links followed, or not) or of an open handle; elsewhere only the type is known, from
/// .NET's own checks, and the identity is left zero (<see cref="FileIdentity"/> then compares resolved paths).
/// </summary>
internal readonly record struct FileStatus(FileKind Kind, ulong Device, ulong Inode, long Size)
{
    private const int TypeMask = 0xF000;

    /// <summary>The status of <paramref name="path"/>, or null when it cannot be had (absent, a parent not searchable): opening it then
    /// reports why.</summary>
    public static FileStatus? Of(string path, bool followLinks = true)
    {
        if (!OperatingSystem.IsLinux())
        {
            return ManagedStatus(path, followLinks);
        }

        int flags = followLinks ? 0 : LibC.AT_SYMLINK_NOFOLLOW;
        return LibC.statx(LibC.AT_FDCWD, path, flags, LibC.STATX_BASIC_STATS, out var buffer) == 0 ? From(buffer) : null;
    }

    /// <summary>The status of the file an open handle refers to: the file actually read, whatever links led to it.</summary>
    public static FileStatus Of(SafeFileHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (!OperatingSystem.IsLinux())
        {
            return new FileStatus(FileKind.Regular, 0, 0, RandomAccess.GetLength(handle));
        }

        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            int fd = (int)handle.DangerousGetHandle();
            if (LibC.statx(fd, string.Empty, LibC.AT_EMPTY_PATH, LibC.STATX_BASIC_STATS, out var buffer) != 0)
            {
                throw new IOException(
                    $"The status of an open file could not be read: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }

            return From(buffer);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Whether both name the same file (device and inode); meaningful on Linux only.</summary>
    public bool IsSameFile(FileStatus other) => Device == other.Device && Inode == other.Inode;

    /// <summary>The kind as words for messages: "a named pipe (FIFO)".</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a directory",
        FileKind.SymbolicLink => "a symbolic link",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Fifo => "a named pipe (FIFO)",
        FileKind.Socket => "a socket",
        _ => "a special file",
    };

    private static FileStatus From(in LibC.StatX buffer) => new(
        (buffer.Mode & TypeMask) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.SymbolicLink,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            0x1000 => FileKind.Fifo,
            0xC000 => FileKind.Socket,
            _ => FileKind.Unknown,
        },
        ((ulong)buffer.DeviceMajor << 32) | buffer.DeviceMinor,
        buffer.Inode,
        (long)buffer.Size);

    private static FileStatus? ManagedStatus(string path, bool followLinks)
    {
        FileSystemInfo info = new FileInfo(path);
        if (!info.Exists)
        {
            info = new DirectoryInfo(path);
            if (!info.Exists)
            {
                return null;
            }
        }

        if (!followLinks && info.LinkTarget is not null)
        {
            return new FileStatus(FileKind.SymbolicLink, 0, 0, 0);
        }

        return info is DirectoryInfo ? new FileStatus(FileKind.Directory, 0, 0, 0)
            : new FileStatus(FileKind.Regular, 0, 0, ((FileInfo)info).Length);
    }
}
