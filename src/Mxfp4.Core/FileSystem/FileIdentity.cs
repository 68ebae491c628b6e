using System.Runtime.InteropServices;
using Mxfp4.Core.Interop;

namespace Mxfp4.Core.FileSystem;

/// <summary>
/// Whether two paths reach the same file, and where a path really leads: every component resolved (links, <c>.</c>,
/// <c>..</c>, repeated separators), as the kernel resolves it when the file is opened. Guards against writing over a
/// source compare these, never path strings.
/// </summary>
public static class FileIdentity
{
    private static StringComparison PathComparison =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>Whether both paths exist and reach one file (same device and inode on Linux, same resolved path elsewhere).</summary>
    public static bool SameFile(string a, string b)
    {
        if (OperatingSystem.IsLinux())
        {
            return FileStatus.Of(a) is { } x && FileStatus.Of(b) is { } y && x.IsSameFile(y);
        }

        return (File.Exists(a) || Directory.Exists(a)) && (File.Exists(b) || Directory.Exists(b))
            && string.Equals(RealPath(a), RealPath(b), PathComparison);
    }

    /// <summary>
    /// The path with every link resolved. The longest existing prefix is resolved by the OS (realpath); components
    /// that do not exist yet (a destination to be created) are appended lexically.
    /// </summary>
    public static string RealPath(string path)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var missing = new Stack<string>();
        string existing = full;
        while (!File.Exists(existing) && !Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            missing.Push(Path.GetFileName(existing));
            existing = parent;
        }

        string resolved = Resolve(existing);
        while (missing.Count > 0)
        {
            resolved = Path.Combine(resolved, missing.Pop());
        }

        return resolved;
    }

    /// <summary>Whether <paramref name="path"/>, fully resolved, is <paramref name="directory"/> (resolved) or lies inside it.</summary>
    public static bool IsWithin(string path, string directory)
    {
        string inner = RealPath(path);
        string outer = RealPath(directory);
        string prefix = Path.EndsInDirectorySeparator(outer) ? outer : outer + Path.DirectorySeparatorChar;
        return string.Equals(inner, outer, PathComparison) || inner.StartsWith(prefix, PathComparison);
    }

    private static string Resolve(string existing)
    {
        if (OperatingSystem.IsWindows())
        {
            FileSystemInfo info = Directory.Exists(existing) ? new DirectoryInfo(existing) : new FileInfo(existing);
            return info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? info.FullName;
        }

        nint resolved = LibC.realpath(existing, 0);
        if (resolved == 0)
        {
            // Not resolvable now (vanished, not searchable): the lexical path is the best answer left.
            return existing;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved) ?? existing;
        }
        finally
        {
            LibC.free(resolved);
        }
    }
}
