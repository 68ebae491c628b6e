using System.Diagnostics;
using Mxfp4.Core.Interop;

namespace Mxfp4.Core.Threading;

/// <summary>Pins the calling thread to one CPU, where the platform allows it.</summary>
internal static class ThreadPinning
{
    /// <summary>The CPUs this process may run on, in order; pinning only ever chooses among these.</summary>
    internal static int[] AllowedCpus()
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows())
        {
            using var process = Process.GetCurrentProcess();
            long mask = (long)process.ProcessorAffinity;
            var cpus = new List<int>();
            for (int cpu = 0; cpu < 64; cpu++)
            {
                if ((mask & (1L << cpu)) != 0)
                {
                    cpus.Add(cpu);
                }
            }

            if (cpus.Count > 0)
            {
                return [.. cpus];
            }
        }

        return Enumerable.Range(0, Environment.ProcessorCount).ToArray();
    }

    /// <summary>Returns whether the thread was pinned; failure is not an error, the thread just stays unpinned.</summary>
    internal static unsafe bool PinCurrentThread(int cpu)
    {
        if (cpu is < 0 or >= 64)
        {
            return false;
        }

        ulong mask = 1UL << cpu;
        if (OperatingSystem.IsLinux())
        {
            // pid 0 is the calling thread for sched_setaffinity.
            return LibC.sched_setaffinity(0, sizeof(ulong), &mask) == 0;
        }

        if (OperatingSystem.IsWindows())
        {
            return Kernel32.SetThreadAffinityMask(Kernel32.GetCurrentThread(), (nuint)mask) != 0;
        }

        return false;
    }
}
