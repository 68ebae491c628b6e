namespace Mxfp4.PowerShell.Tests.Cmdlets;

/// <summary>The files this process still has mapped or open, from /proc (Linux): how the tests prove maps and handles are
/// released.</summary>
internal static class OpenFiles
{
    internal static IReadOnlySet<string> MappedOrOpen()
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        if (!OperatingSystem.IsLinux())
        {
            return paths;
        }

        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            int slash = line.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                paths.Add(line[slash..].Replace(" (deleted)", string.Empty, StringComparison.Ordinal));
            }
        }

        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target)
                {
                    paths.Add(target);
                }
            }
            catch (IOException)
            {
                // A descriptor closed while we looked is not open.
            }
        }

        return paths;
    }
}
