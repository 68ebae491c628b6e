using System.Diagnostics;

namespace Mxfp4.Core.Tests.FileSystem;

/// <summary>FIFOs and private device nodes made with the system's mkfifo and mknod, and a guard against calls that hang.</summary>
internal static class SpecialFiles
{
    public static bool IsRoot => OperatingSystem.IsLinux() && Environment.UserName == "root";

    public static string MakeFifo(string path)
    {
        Run("mkfifo", path);
        return path;
    }

    /// <summary>A character device of our own (c 1 3 is the null device, c 1 5 the zero device): never the system's /dev nodes.</summary>
    public static string MakeCharacterDevice(string path, int major, int minor)
    {
        Run("mknod", path, "c", major.ToString(), minor.ToString());
        return path;
    }

    public static bool IsCharacterDevice(string path) => Stat(path) == "character special file";

    public static bool IsFifo(string path) => Stat(path) == "fifo";

    /// <summary>Runs <paramref name="action"/> and fails the test when it has not returned within <paramref name="seconds"/>, instead of
    /// hanging the run.</summary>
    public static T WithinSeconds<T>(int seconds, Func<T> action)
    {
        var task = Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (Task.WaitAny([task], TimeSpan.FromSeconds(seconds)) < 0)
        {
            throw new TimeoutException($"still blocked after {seconds} s");
        }

        return task.GetAwaiter().GetResult();
    }

    private static string Stat(string path)
    {
        using var process = Process.Start(new ProcessStartInfo("stat", ["-c", "%F", path]) { RedirectStandardOutput = true })!;
        string output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return output;
    }

    private static void Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true })!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed: {error}");
        }
    }
}

/// <summary>A test that needs Linux (FIFOs, statx).</summary>
public sealed class LinuxFactAttribute : Xunit.FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "needs Linux";
        }
    }
}

/// <summary>A test that makes device nodes with mknod, which needs root on Linux (as CI runs).</summary>
public sealed class RootFactAttribute : Xunit.FactAttribute
{
    public RootFactAttribute()
    {
        if (!SpecialFiles.IsRoot)
        {
            Skip = "mknod needs root on Linux";
        }
    }
}
