using System.Diagnostics;

namespace Mxfp4.PowerShell.Tests.Reliability;

/// <summary>
/// A directory nobody can write into. Permission bits (0555) do not stop root, so as root it is a tmpfs mounted
/// read-only instead, which stops everyone; that needs the right to mount, which <see cref="ReadOnlyDirectoryFactAttribute"/> checks.
/// </summary>
internal sealed class ReadOnlyDirectory : IDisposable
{
    private readonly bool _mounted;

    private ReadOnlyDirectory(string path, bool mounted)
    {
        Path = path;
        _mounted = mounted;
    }

    public string Path { get; }

    internal static bool IsRoot => Environment.UserName == "root";

    public static ReadOnlyDirectory Create(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("read-only directories are made with Linux mounts or permission bits");
        }

        Directory.CreateDirectory(path);
        if (IsRoot)
        {
            if (!Run("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", path))
            {
                throw new InvalidOperationException($"mounting a read-only tmpfs on '{path}' failed");
            }

            return new ReadOnlyDirectory(path, mounted: true);
        }

        File.SetUnixFileMode(path,
            UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return new ReadOnlyDirectory(path, mounted: false);
    }

    /// <summary>Whether this process can make a read-only directory at all: always without root, with root only if it may mount.</summary>
    internal static bool IsPossible()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        if (!IsRoot)
        {
            return true;
        }

        string probe = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mxfp4-ro-probe-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(probe);
        try
        {
            return Run("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", probe) && Run("umount", probe);
        }
        finally
        {
            Directory.Delete(probe);
        }
    }

    public void Dispose()
    {
        if (_mounted)
        {
            Run("umount", Path);
        }
        else if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static bool Run(string program, params string[] arguments)
    {
        try
        {
            using var process = Process.Start(
                new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
