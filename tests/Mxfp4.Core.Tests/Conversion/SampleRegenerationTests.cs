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

        // samples/ also holds the demo script; the generator owns only the two checkpoint folders.
        foreach (var folder in new[] { SampleCheckpoints.HuggingFaceFolder, SampleCheckpoints.OriginalFolder })
        {
            var committed = SampleCheckpointFiles.Snapshot(Path.Combine(SampleCheckpointFiles.SamplesDirectory, folder));
            var regenerated = SampleCheckpointFiles.Snapshot(Path.Combine(temp.Path, folder));
            Assert.NotNull(committed);
            Assert.Equal(folder == SampleCheckpoints.HuggingFaceFolder ? 4 : 1, committed.Count);
            Assert.Equal(committed, regenerated);
        }
    }
}
