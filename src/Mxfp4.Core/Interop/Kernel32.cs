using System.Runtime.InteropServices;

namespace Mxfp4.Core.Interop;

/// <summary>The Win32 calls the engine uses on Windows; every caller checks the platform first.</summary>
internal static partial class Kernel32
{
    [LibraryImport("kernel32", SetLastError = true)]
    internal static partial nint GetCurrentThread();

    [LibraryImport("kernel32", SetLastError = true)]
    internal static partial nuint SetThreadAffinityMask(nint thread, nuint mask);
}
