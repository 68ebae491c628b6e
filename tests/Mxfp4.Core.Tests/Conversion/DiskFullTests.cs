using System.Diagnostics;
using Mxfp4.Core.Conversion;
using Mxfp4.Core.Tests.Safetensors;
using Xunit;
using Xunit.Abstractions;

namespace Mxfp4.Core.Tests.Conversion;

/// <summary>
/// A real full disk: a 200 KiB tmpfs, smaller than the ~320 KB BF16 output of the sample. Needs root on Linux
/// (CI and the development container have it); elsewhere the test says why it did nothing and returns.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class DiskFullTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _temp = new();
    private bool _mounted;

    [Fact]
    public void A_full_disk_is_OutputWriteFailed_and_leaves_nothing()
    {
        string mountPoint = _temp.File("small-disk");
        Directory.CreateDirectory(mountPoint);
        if (!OperatingSystem.IsLinux() || !Run("mount", $"-t tmpfs -o size=200k tmpfs {mountPoint}"))
        {
            output.WriteLine("Not run: mounting a small tmpfs needs Linux and root.");
            return;
        }

        _mounted = true;
        string source = SampleCheckpointFiles.CopyTo(_temp.Path, SampleCheckpointFiles.HuggingFace);
        string destination = Path.Combine(mountPoint, "out");

        var error = Assert.Throws<OutputWriteException>(() => Conversions.Run(source, destination, new ConversionOptions()));

        Assert.Equal("OutputWriteFailed", error.ErrorId);
        Assert.StartsWith(destination, error.Path, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(mountPoint));
    }

    public void Dispose()
    {
        if (_mounted)
        {
            Run("umount", _temp.File("small-disk"));
        }

        _temp.Dispose();
    }

    private static bool Run(string command, string arguments)
    {
        try
        {
            using var process = Process.Start(
                new ProcessStartInfo(command, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
