using Mxfp4.Core.Conversion;
using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tests.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.Conversion;

/// <summary>Every way a conversion can be refused or fail: the destination must be exactly as it was before.</summary>
public sealed class ConversionFailureTests
{
    /// <summary>A small chunk size makes many chunks per tensor, so cancellation and failures land mid-tensor.</summary>
    private static readonly ConversionOptions SmallChunks = new() { ChunkBytes = 4096 };

    [Theory]
    [InlineData(false, 0.0)]
    [InlineData(false, 0.6)]
    [InlineData(true, 0.0)]
    [InlineData(true, 0.6)]
    public void Cancellation_leaves_the_destination_as_it_was(bool destinationExists, double cancelAtFraction)
    {
        using var temp = new TempDirectory();
        string source = SampleCheckpointFiles.CopyTo(temp.Path, SampleCheckpointFiles.HuggingFace);
        string destination = PrepareDestination(temp, destinationExists);
        var before = SampleCheckpointFiles.Snapshot(destination);
        using var cancellation = new CancellationTokenSource();
        int reports = 0;

        Assert.ThrowsAny<OperationCanceledException>(() => Conversions.Run(
            source,
            destination,
            SmallChunks with { Force = destinationExists },
            p =>
            {
                reports++;
                if (p.BytesDone >= p.TotalBytes * cancelAtFraction)
                {
                    cancellation.Cancel();
                }
            },
            cancellationToken: cancellation.Token));

        Assert.True(reports >= 1);
        Assert.Equal(before, SampleCheckpointFiles.Snapshot(destination));
    }

    [Fact]
    public void A_write_failure_anywhere_leaves_the_destination_as_it_was()
    {
        using var temp = new TempDirectory();
        string source = SampleCheckpointFiles.CopyTo(temp.Path, SampleCheckpointFiles.HuggingFace);
        var unlimited = new WriteBudget(long.MaxValue);
        Conversions.Run(source, temp.File("complete"), SmallChunks, outputFilter: unlimited.Filter);
        long total = unlimited.Written;
        var targets = Directory.GetFiles(temp.File("complete")).Select(Path.GetFileName).ToHashSet();

        foreach (bool destinationExists in new[] { false, true })
        {
            foreach (long failAfter in new[] { 0, 1, 5000, total / 3, total * 2 / 3, total - 1 })
            {
                string destination = PrepareDestination(temp, destinationExists);
                var before = SampleCheckpointFiles.Snapshot(destination);

                var error = Assert.Throws<OutputWriteException>(()
                    => Conversions.Run(source, destination, SmallChunks with { Force = destinationExists },
                    outputFilter: new WriteBudget(failAfter).Filter));

                Assert.Equal("OutputWriteFailed", error.ErrorId);
                Assert.Equal(Mxfp4ErrorCategory.WriteError, error.Category);
                Assert.Contains(FailingWriteStream.DiskFullMessage, error.Message);
                Assert.Equal(destination, Path.GetDirectoryName(error.Path));
                Assert.Contains(Path.GetFileName(error.Path), targets);
                Assert.Contains(error.Path, error.Message);
                Assert.Equal(before, SampleCheckpointFiles.Snapshot(destination));
                if (Directory.Exists(destination))
                {
                    Directory.Delete(destination, recursive: true);
                }
            }
        }
    }

    [Fact]
    public void A_file_that_appears_in_the_destination_while_converting_leaves_none_of_the_new_files()
    {
        using var temp = new TempDirectory();
        string source = SampleCheckpointFiles.CopyTo(temp.Path, SampleCheckpointFiles.HuggingFace);
        string destination = temp.File("out");
        string intruder = Path.Combine(destination, "model-00002-of-00002.safetensors");

        // The second shard's final name is taken once that shard is fully written: its commit, not its creation, fails.
        var error = Assert.Throws<OutputExistsException>(() => Conversions.Run(source, destination, new ConversionOptions(), p =>
        {
            if (p.Shard == intruder && p.ShardBytesDone == p.ShardBytes)
            {
                File.WriteAllText(intruder, "someone else's");
            }
        }));

        Assert.Equal(intruder, error.Path);
        Assert.Equal([intruder], Directory.GetFiles(destination));
        Assert.Equal("someone else's", File.ReadAllText(intruder));
    }

    [Theory]
    [InlineData("model-00001-of-00002.safetensors")]
    [InlineData("model-00002-of-00002.safetensors")]
    public void A_shard_that_changes_length_after_planning_is_SourceChanged_and_nothing_is_left(string shard)
    {
        using var temp = new TempDirectory();
        string source = SampleCheckpointFiles.CopyTo(temp.Path, SampleCheckpointFiles.HuggingFace);
        string destination = temp.File("out");
        using var checkpoint = Checkpoint.Open(source);
        var plan = ConversionPlan.Create(checkpoint, destination, SmallChunks);
        File.AppendAllText(Path.Combine(source, shard), "appended");

        var error = Assert.Throws<Mxfp4Exception>(() => CheckpointConverter.Execute(checkpoint, plan));

        Assert.Equal("SourceChanged", error.ErrorId);
        Assert.Equal(Path.Combine(source, shard), error.Target);
        Assert.False(Directory.Exists(destination));
    }

    [Fact]
    public void Destination_equal_to_or_inside_the_source_is_DestinationIsSource()
    {
        using var temp = new TempDirectory();
        string source = SampleCheckpointFiles.CopyTo(temp.Path, SampleCheckpointFiles.HuggingFace);
        string original = SampleCheckpointFiles.CopyTo(temp.Path, SampleCheckpointFiles.Original);
        var before = SampleCheckpointFiles.Snapshot(temp.Path);

        foreach (var (input, destination) in new[]
        {
            (source, source),
            (source, source + Path.DirectorySeparatorChar),
            (source, Path.Combine(source, "converted")),
            (Path.Combine(source, Checkpoint.DefaultIndexName), Path.Combine(source, "converted")),
            (Path.Combine(original, "model.safetensors"), original),
        })
        {
            var error = Assert.Throws<Mxfp4Exception>(() => Conversions.Run(input, destination, new ConversionOptions { Force = true }));
            Assert.Equal("DestinationIsSource", error.ErrorId);
        }

        Assert.Equal(before, SampleCheckpointFiles.Snapshot(temp.Path));
    }

    [Fact]
    public void A_missing_destination_parent_is_DestinationParentNotFound()
    {
        using var temp = new TempDirectory();
        string source = SampleCheckpointFiles.CopyTo(temp.Path, SampleCheckpointFiles.Original);

        var error = Assert.Throws<Mxfp4Exception>(() => Conversions.Run(source, temp.File("missing/out"), new ConversionOptions()));

        Assert.Equal("DestinationParentNotFound", error.ErrorId);
        Assert.False(Directory.Exists(temp.File("missing")));
    }

    [Fact]
    public void Original_naming_with_the_Transformers_layout_is_LayoutNotSupported_before_anything_is_written()
    {
        using var temp = new TempDirectory();
        string source = SampleCheckpointFiles.CopyTo(temp.Path, SampleCheckpointFiles.Original);
        using var checkpoint = Checkpoint.Open(source);

        var error = Assert.Throws<Mxfp4Exception>(()
            => ConversionPlan.Create(checkpoint, temp.File("out"), new ConversionOptions { Layout = ConversionLayout.Transformers }));

        Assert.Equal("LayoutNotSupported", error.ErrorId);
        Assert.Equal(Mxfp4ErrorCategory.InvalidArgument, error.Category);
        Assert.False(Directory.Exists(temp.File("out")));
    }

    [Fact]
    public void An_invalid_config_with_the_Transformers_layout_is_InvalidConfig_before_anything_is_written()
    {
        using var temp = new TempDirectory();
        string source = SampleCheckpointFiles.CopyTo(temp.Path, SampleCheckpointFiles.HuggingFace);
        File.WriteAllText(Path.Combine(source, "config.json"), "{ \"quantization_config\": ");
        using var checkpoint = Checkpoint.Open(source);

        var error = Assert.Throws<Mxfp4Exception>(()
            => ConversionPlan.Create(checkpoint, temp.File("out"), new ConversionOptions { Layout = ConversionLayout.Transformers }));

        Assert.Equal("InvalidConfig", error.ErrorId);
        Assert.False(Directory.Exists(temp.File("out")));
    }

    [Theory]
    [InlineData("ScalesMissing", "layer.weight_blocks")]
    [InlineData("BlocksMissing", "layer.weight_scales")]
    public void A_pairing_error_is_rejected_before_anything_is_written(string errorId, string onlyHalf)
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.File("in"));
        var shape = onlyHalf.EndsWith("_blocks", StringComparison.Ordinal) ? new long[] { 2, 1, 16 } : new long[] { 2, 1 };
        var spec = new TensorSpec(onlyHalf, SafetensorsDType.U8, shape);
        SafetensorsWriter.WriteFile(temp.File("in/model.safetensors"),
            [(new TensorSpec("norm.weight", SafetensorsDType.BF16, [4]), new byte[8]), (spec, new byte[spec.ByteLength])]);

        var error = Assert.Throws<Mxfp4PairingException>(() => Conversions.Run(temp.File("in"), temp.File("out"), new ConversionOptions()));

        Assert.Equal(errorId, error.ErrorId);
        Assert.False(Directory.Exists(temp.File("out")));
    }

    /// <summary>A destination that does not exist yet, or one holding an old shard of the same name and an unrelated file.</summary>
    private static string PrepareDestination(TempDirectory temp, bool exists)
    {
        string destination = temp.File("out");
        if (exists)
        {
            Directory.CreateDirectory(destination);
            File.WriteAllText(Path.Combine(destination, "model-00001-of-00002.safetensors"), "previous conversion");
            File.WriteAllText(Path.Combine(destination, "notes.txt"), "unrelated");
        }

        return destination;
    }
}
