using System.Runtime.InteropServices;

namespace Mxfp4.Core.Tests.Formats;

/// <summary>
/// The processor's features as the Linux kernel reports them in /proc/cpuinfo: an oracle for the kernels' path
/// selection that does not share the runtime's intrinsic checks the production code uses.
/// </summary>
internal static class ProcessorFlags
{
    /// <summary>The flags of the first processor, or null where /proc/cpuinfo does not exist (not Linux).</summary>
    public static IReadOnlySet<string>? Read()
    {
        const string path = "/proc/cpuinfo";
        if (!File.Exists(path))
        {
            return null;
        }

        string key = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "Features" : "flags";
        var line = File.ReadLines(path)
            .FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal) && l.Contains(':', StringComparison.Ordinal));
        return line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Whether the runtime was told to skip an instruction set (DOTNET_EnableXxx=0): present features may go unused.</summary>
    public static bool RuntimeRestricted()
        => Environment.GetEnvironmentVariables().Keys.Cast<string>().Any(k =>
            (k.StartsWith("DOTNET_Enable", StringComparison.OrdinalIgnoreCase)
                || k.StartsWith("COMPlus_Enable", StringComparison.OrdinalIgnoreCase))
            && Environment.GetEnvironmentVariable(k) == "0");
}
