using System.Runtime.InteropServices;

namespace Mxfp4.Core.Interop;

/// <summary>The few libc calls the engine uses on Linux; every caller checks the platform first.</summary>
internal static partial class LibC
{
    internal const int MADV_SEQUENTIAL = 2;
    internal const int MADV_WILLNEED = 3;
    internal const int MADV_HUGEPAGE = 14;

    [LibraryImport("libc", SetLastError = true)]
    internal static unsafe partial int madvise(void* address, nuint length, int advice);

    [LibraryImport("libc", SetLastError = true)]
    internal static unsafe partial int sched_setaffinity(int pid, nuint cpusetsize, ulong* mask);
}
