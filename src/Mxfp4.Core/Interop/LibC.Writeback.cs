using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Mxfp4.Core.Interop;

/// <summary>sync_file_range(2), which starts writing a file's dirty pages to disk without waiting for them.</summary>
internal static partial class LibC
{
    internal const uint SYNC_FILE_RANGE_WRITE = 2;

    /// <summary>Offsets and length are off64_t; a length of 0 means up to the end of the file.</summary>
    [LibraryImport("libc", SetLastError = true)]
    internal static partial int sync_file_range(SafeFileHandle fd, long offset, long nbytes, uint flags);
}
