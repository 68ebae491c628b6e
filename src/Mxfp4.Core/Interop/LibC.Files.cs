using System.Runtime.InteropServices;

namespace Mxfp4.Core.Interop;

/// <summary>
/// The libc file calls behind <see cref="FileSystem.FileStatus"/> and <see cref="FileSystem.SafeOpen"/>. statx is used
/// rather than stat because its structure has one layout on every Linux architecture (glibc 2.28 and later).
/// </summary>
internal static partial class LibC
{
    internal const int AT_FDCWD = -100;
    internal const int AT_SYMLINK_NOFOLLOW = 0x100;
    internal const int AT_EMPTY_PATH = 0x1000;
    internal const uint STATX_BASIC_STATS = 0x7ff;

    internal const int O_RDONLY = 0;
    internal const int O_WRONLY = 1;
    internal const int O_NONBLOCK = 0x800;
    internal const int O_CLOEXEC = 0x80000;

    internal const int F_GETFL = 3;
    internal const int F_SETFL = 4;

    internal const int ENOENT = 2;
    internal const int ENXIO = 6;
    internal const int ENOTDIR = 20;
    internal const int EACCES = 13;
    internal const int EPERM = 1;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int statx(int dirfd, string pathname, int flags, uint mask, out StatX buffer);

    /// <summary>open(2) with its optional mode argument always passed; a variadic int travels like a fixed one on Linux x64 and
    /// arm64.</summary>
    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int open(string pathname, int flags, int mode);

    /// <summary>fcntl(2) for F_GETFL and F_SETFL, whose argument is an int.</summary>
    [LibraryImport("libc", SetLastError = true)]
    internal static partial int fcntl(int fd, int command, int argument);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint realpath(string path, nint resolved);

    [LibraryImport("libc")]
    internal static partial void free(nint pointer);

    /// <summary>struct statx (linux/stat.h), 256 bytes; only the fields read here are named.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    internal struct StatX
    {
        [FieldOffset(28)]
        public ushort Mode;

        [FieldOffset(32)]
        public ulong Inode;

        [FieldOffset(40)]
        public ulong Size;

        [FieldOffset(136)]
        public uint DeviceMajor;

        [FieldOffset(140)]
        public uint DeviceMinor;
    }
}
