using Xunit;

namespace Mxfp4.PowerShell.Tests.Reliability;

/// <summary>A test that needs a read-only directory: skipped (with the reason) where none can be made.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ReadOnlyDirectoryFactAttribute : FactAttribute
{
    public ReadOnlyDirectoryFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || !ReadOnlyDirectory.IsPossible())
        {
            Skip = "running as root without the right to mount: permission bits do not stop root, and no read-only file system can be made";
        }
    }
}
