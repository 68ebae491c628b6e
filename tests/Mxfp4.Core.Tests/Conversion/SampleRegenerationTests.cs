using Mxfp4.Core.Tests.Safetensors;
using Mxfp4.Samples;
using Xunit;

namespace Mxfp4.Core.Tests.Conversion;

public sealed class SampleRegenerationTests
{
    [Fact]
    public void The_committed_samples_regenerate_byte_for_byte()
    {
        using var temp = new TempDirectory();

        SampleCheckpoints.Write(temp.Path);

        var committed = SampleCheckpointFiles.Snapshot(SampleCheckpointFiles.SamplesDirectory);
        var regenerated = SampleCheckpointFiles.Snapshot(temp.Path);
        Assert.NotNull(committed);
        Assert.Equal(5, committed.Count);
        Assert.Equal(committed, regenerated);
    }
}
