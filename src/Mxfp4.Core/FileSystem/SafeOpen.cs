using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Mxfp4.Core.Interop;

namespace Mxfp4.Core.FileSystem;

/// <summary>
/// Opens files the engine reads (shards, indexes, configs, copied files) so that only regular files are ever read:
/// links are followed, anything else is <see cref="UnsupportedFileTypeException"/> before a byte is read. On Linux the
/// open itself never blocks: a FIFO opened for reading would wait for a writer forever, so the file is opened
/// non-blocking and the type checked on the opened handle, which also closes the race with a file swapped after the check.
/// </summary>
internal static class SafeOpen
{
    /// <summary>A read-only, unbuffered stream over the regular file <paramref name="path"/> (links followed).</summary>
    public static FileStream Read(string path)
    {
        string full = Path.GetFullPath(path);
        if (!OperatingSystem.IsLinux())
        {
            if (Directory.Exists(full))
            {
                throw new UnsupportedFileTypeException(full, FileKind.Directory);
            }

            return new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.None);
        }

        // The path's type first: a socket cannot be opened at all (ENXIO), which would hide what it is.
        if (FileStatus.Of(full) is { Kind: not FileKind.Regular } status)
        {
            throw new UnsupportedFileTypeException(full, status.Kind);
        }

        var handle = OpenHandle(full, LibC.O_RDONLY | LibC.O_NONBLOCK);
        try
        {
            var kind = FileStatus.Of(handle).Kind;
            if (kind != FileKind.Regular)
            {
                throw new UnsupportedFileTypeException(full, kind);
            }

            return new FileStream(handle, FileAccess.Read, 1);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The bytes of a small regular file (an index, a config), read whole.</summary>
    public static byte[] ReadAllBytes(string path)
    {
        using var stream = Read(path);
        var bytes = new byte[stream.Length];
        return bytes[..stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false)];
    }

    /// <summary>
    /// A write stream straight into an existing character device or FIFO (/dev/null, a named pipe): such a file is
    /// written into, never replaced. The caller has checked the type; it is checked again on the opened handle.
    /// </summary>
    public static FileStream WriteDevice(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None);
        }

        // Non-blocking, so a pipe nobody reads is an error now instead of a wait no Ctrl+C can end; then blocking
        // again, so a full pipe makes writes wait rather than fail.
        var handle = OpenHandle(path, LibC.O_WRONLY | LibC.O_NONBLOCK);
        try
        {
            var kind = FileStatus.Of(handle).Kind;
            if (kind is not (FileKind.CharacterDevice or FileKind.Fifo))
            {
                throw new UnsupportedFileTypeException(path, kind, "; a device or pipe was expected");
            }

            int fd = (int)handle.DangerousGetHandle();
            int flags = LibC.fcntl(fd, LibC.F_GETFL, 0);
            if (flags < 0 || LibC.fcntl(fd, LibC.F_SETFL, flags & ~LibC.O_NONBLOCK) < 0)
            {
                throw new IOException(
                    $"'{path}' could not be set to blocking writes: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
            }

            return new FileStream(handle, FileAccess.Write, 1);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static SafeFileHandle OpenHandle(string full, int flags)
    {
        int fd = LibC.open(full, flags | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            string reason = Marshal.GetPInvokeErrorMessage(errno);
            throw errno switch
            {
                LibC.ENOENT or LibC.ENOTDIR => new FileNotFoundException($"Could not find file '{full}'.", full),
                LibC.EACCES or LibC.EPERM => new UnauthorizedAccessException($"Access to the path '{full}' is denied: {reason}."),
                LibC.ENXIO
                    => new IOException($"'{full}' could not be opened: no process reads the pipe, or the device is absent ({reason})."),
                _ => new IOException($"'{full}' could not be opened: {reason}."),
            };
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }
}
