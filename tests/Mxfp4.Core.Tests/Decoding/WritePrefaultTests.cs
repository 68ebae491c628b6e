using Mxfp4.Core.Decoding;
using Xunit;

namespace Mxfp4.Core.Tests.Decoding;

public sealed class WritePrefaultTests
{
    [Fact]
    public void Faults_in_a_fresh_buffer_without_changing_its_contents()
    {
        var buffer = new byte[(8 << 20) + 13];
        var pattern = new Random(3);
        var expected = new byte[4096];
        pattern.NextBytes(expected);
        expected.CopyTo(buffer, 1 << 20);

        bool populated = WritePrefault.Populate(buffer.AsSpan(5));

        // MADV_POPULATE_WRITE arrived in Linux 5.14.
        bool supported = OperatingSystem.IsLinux() && Environment.OSVersion.Version >= new Version(5, 14);
        Assert.Equal(supported, populated);
        Assert.Equal(expected, buffer.AsSpan(1 << 20, expected.Length).ToArray());
        Assert.True(buffer.AsSpan(0, 1 << 20).IndexOfAnyExcept((byte)0) < 0);
        Assert.True(buffer.AsSpan((1 << 20) + expected.Length).IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public void Small_buffers_are_left_to_fault_in_as_they_are_written()
    {
        Assert.False(WritePrefault.Populate(new byte[WritePrefault.MinBytes - 1]));
        Assert.False(WritePrefault.Populate([]));
    }
}
