using Mxfp4.Core.Conversion;
using Mxfp4.Core.FileSystem;
using Mxfp4.Core.Tests.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.Conversion;

/// <summary>
/// A shard truncated or rewritten while a conversion reads it: SourceChanged and nothing left in the destination.
/// A conversion reading through the mapping died of SIGBUS on the truncation, taking this test host with it.
/// </summary>
public sealed class SourceChangeTests
{
    private static readonly ConversionOptions SmallChunks = new() { ChunkBytes = 4096 };

    [Fact]
    public void A_shard_truncated_mid_tensor_gives_SourceChanged_and_leaves_nothing()
    {
        using var temp = new TempDirectory();
        string source = SampleCheckpointFiles.CopyTo(temp.Path, SampleCheckpointFiles.HuggingFace);
        string destination = temp.File("out");
        bool truncated = false;

        var error = Assert.Throws<Mxfp4Exception>(() => Conversions.Run(source, destination, SmallChunks, p =>
        {
            if (!truncated && p.ShardBytesDone > 8192)
            {
                // Every data page of the shard goes away while its tensors are being read. Another process does it,
                // as in life: .NET's own advisory locks would refuse a writer in this process.
                Run("truncate", "-s", "4096", Path.Combine(source, Path.GetFileName(p.Shard)));
                truncated = true;
            }
        }));

        Assert.True(truncated);
        Assert.Equal("SourceChanged", error.ErrorId);
        Assert.False(Directory.Exists(destination));
        Assert.Empty(Directory.EnumerateFiles(temp.Path, "*" + TemporaryName.Suffix, SearchOption.AllDirectories));
    }

    [Fact]
    public void A_shard_rewritten_in_place_gives_SourceChanged_and_leaves_nothing()
    {
        using var temp = new TempDirectory();
        string source = SampleCheckpointFiles.CopyTo(temp.Path, SampleCheckpointFiles.HuggingFace);
        string destination = temp.File("out");
        bool rewritten = false;

        var error = Assert.Throws<Mxfp4Exception>(() => Conversions.Run(source, destination, SmallChunks, p =>
        {
            if (!rewritten && p.ShardBytesDone > 8192)
            {
                string shard = Path.Combine(source, Path.GetFileName(p.Shard));
                Run("dd", "if=/dev/zero", $"of={shard}", "bs=64", "count=1", "seek=10", "conv=notrunc", "status=none");

                // Same length, new content; the clock is moved on so the test does not depend on timestamp granularity.
                Run("touch", "-d", "+1 hour", shard);
                rewritten = true;
            }
        }));

        Assert.True(rewritten);
        Assert.Equal("SourceChanged", error.ErrorId);
        Assert.False(Directory.Exists(destination));
        Assert.Empty(Directory.EnumerateFiles(temp.Path, "*" + TemporaryName.Suffix, SearchOption.AllDirectories));
    }

    private static void Run(string program, params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(program, arguments);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
