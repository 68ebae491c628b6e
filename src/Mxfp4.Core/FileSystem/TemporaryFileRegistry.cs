using System.Runtime.InteropServices;

namespace Mxfp4.Core.FileSystem;

/// <summary>
/// The temporary files (and the destination directories created for them) that are live in this process, deleted
/// when the process is told to end. SIGTERM — what <c>timeout</c>, <c>docker stop</c>, systemd and CI cancellation
/// send — ends pwsh without running any cmdlet's cleanup, so the deletion runs in the signal handler itself, before
/// the runtime goes on with the default termination. The handlers are registered with the first temporary file.
/// </summary>
internal static class TemporaryFileRegistry
{
    private static readonly object Gate = new();
    private static readonly HashSet<string> Files = new(StringComparer.Ordinal);
    private static readonly List<string> Directories = [];
    private static readonly List<PosixSignalRegistration> Registrations = [];
    private static bool _terminating;

    /// <summary>
    /// Creates a temporary file with <paramref name="create"/> while holding the registry, so a signal arriving at
    /// any moment either finds the file registered or finds no file.
    /// </summary>
    internal static FileStream Create(string path, Func<string, FileStream> create)
    {
        lock (Gate)
        {
            ThrowIfTerminating();
            EnsureHandlers();
            var stream = create(path);
            Files.Add(path);
            return stream;
        }
    }

    /// <summary>Forgets a temporary file that has been renamed into place or deleted.</summary>
    internal static void Forget(string path)
    {
        lock (Gate)
        {
            Files.Remove(path);
        }
    }

    /// <summary>A directory created to hold temporary files: removed on termination if nothing else is left in it.</summary>
    internal static void AddDirectory(string path)
    {
        lock (Gate)
        {
            ThrowIfTerminating();
            EnsureHandlers();
            Directories.Add(path);
        }
    }

    internal static void ForgetDirectory(string path)
    {
        lock (Gate)
        {
            Directories.Remove(path);
        }
    }

    /// <summary>Deletes every live temporary file and empty created directory; later creations are refused.</summary>
    internal static void DeleteAll()
    {
        lock (Gate)
        {
            _terminating = true;
            foreach (var file in Files)
            {
                try
                {
                    // Unlinking works while a writer still holds the file open; the writer's later writes go nowhere.
                    File.Delete(file);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                }
            }

            Files.Clear();
            foreach (var directory in Enumerable.Reverse(Directories))
            {
                try
                {
                    if (Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any())
                    {
                        Directory.Delete(directory);
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                }
            }

            Directories.Clear();
        }
    }

    private static void ThrowIfTerminating()
    {
        if (_terminating)
        {
            throw new OperationCanceledException("The process is ending; no new files are written.");
        }
    }

    private static void EnsureHandlers()
    {
        if (Registrations.Count > 0 || OperatingSystem.IsBrowser() || OperatingSystem.IsIOS() || OperatingSystem.IsTvOS())
        {
            return;
        }

        // Context.Cancel stays false: the process ends as it would have, only without our temporary files.
        Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => DeleteAll()));
        Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGHUP, _ => DeleteAll()));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteAll();
    }
}
