using Mxfp4.Core.Conversion;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;
using Mxfp4.Core.Tests.Conversion;
using Mxfp4.Core.Tests.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.FileSystem;

/// <summary>Rule 4: every output name is planned before anything is written; a shard is converted, never also copied; duplicates are
/// refused.</summary>
public sealed class OutputNameCollisionTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static int PairCount(string path)
    {
        using var checkpoint = Checkpoint.Open(path);
        return Mxfp4Pairing.Pair(checkpoint.Tensors).Count(r => r.Tensor is not null);
    }

    [Fact]
    public void An_upper_case_shard_name_is_converted_and_not_also_copied()
    {
        string source = _temp.File("upper");
        Directory.CreateDirectory(source);
        string shard = Path.Combine(source, "MODEL.SAFETENSORS");
        File.Copy(Path.Combine(SampleCheckpointFiles.SamplesDirectory, SampleCheckpointFiles.Original, "model.safetensors"), shard);
        string destination = _temp.File("out");
        Assert.True(PairCount(shard) > 0);

        var result = Conversions.Run(source, destination, new ConversionOptions());

        string output = Path.Combine(destination, "MODEL.SAFETENSORS");
        Assert.Equal([output], result.WrittenFiles);
        Assert.Equal(0, PairCount(output));
    }

    [Fact]
    public void An_index_shard_without_the_safetensors_extension_is_converted_and_not_also_copied()
    {
        string source = SampleCheckpointFiles.CopyTo(_temp.Path, SampleCheckpointFiles.HuggingFace);
        File.Move(Path.Combine(source, "model-00002-of-00002.safetensors"), Path.Combine(source, "model-00002-of-00002.bin"));
        string index = Path.Combine(source, Checkpoint.DefaultIndexName);
        File.WriteAllText(index,
            File.ReadAllText(index).Replace("model-00002-of-00002.safetensors", "model-00002-of-00002.bin", StringComparison.Ordinal));
        string destination = _temp.File("out");

        var result = Conversions.Run(source, destination, new ConversionOptions());

        string converted = Path.Combine(destination, "model-00002-of-00002.bin");
        Assert.Single(result.WrittenFiles, f => f == converted);
        Assert.True(PairCount(Path.Combine(source, "model-00002-of-00002.bin")) > 0);
        Assert.Equal(0, PairCount(converted));
    }

    [Fact]
    public void Two_shards_with_one_file_name_in_different_directories_are_OutputNameCollision_and_nothing_is_written()
    {
        string source = SampleCheckpointFiles.CopyTo(_temp.Path, SampleCheckpointFiles.HuggingFace);
        Directory.CreateDirectory(Path.Combine(source, "a"));
        Directory.CreateDirectory(Path.Combine(source, "b"));
        File.Move(Path.Combine(source, "model-00001-of-00002.safetensors"), Path.Combine(source, "a", "model.safetensors"));
        File.Move(Path.Combine(source, "model-00002-of-00002.safetensors"), Path.Combine(source, "b", "model.safetensors"));
        string index = Path.Combine(source, Checkpoint.DefaultIndexName);
        File.WriteAllText(index, File.ReadAllText(index)
            .Replace("model-00001-of-00002.safetensors", "a/model.safetensors", StringComparison.Ordinal)
            .Replace("model-00002-of-00002.safetensors", "b/model.safetensors", StringComparison.Ordinal));
        string destination = _temp.File("out");

        var error = Assert.Throws<Mxfp4Exception>(() => Conversions.Run(source, destination, new ConversionOptions { Force = true }));

        Assert.Equal("OutputNameCollision", error.ErrorId);
        Assert.Equal(Mxfp4ErrorCategory.InvalidData, error.Category);
        Assert.Equal(Path.Combine(destination, "model.safetensors"), error.Target);
        Assert.Contains(Path.Combine(source, "a", "model.safetensors"), error.Message);
        Assert.Contains(Path.Combine(source, "b", "model.safetensors"), error.Message);
        Assert.False(Directory.Exists(destination));
    }

    [Fact]
    public void A_shard_named_like_a_copied_file_is_OutputNameCollision()
    {
        string source = SampleCheckpointFiles.CopyTo(_temp.Path, SampleCheckpointFiles.HuggingFace);
        Directory.CreateDirectory(Path.Combine(source, "weights"));
        File.Move(Path.Combine(source, "model-00002-of-00002.safetensors"), Path.Combine(source, "weights", "config.json"));
        string index = Path.Combine(source, Checkpoint.DefaultIndexName);
        File.WriteAllText(index,
            File.ReadAllText(index).Replace("model-00002-of-00002.safetensors", "weights/config.json", StringComparison.Ordinal));
        string destination = _temp.File("out");

        var error = Assert.Throws<Mxfp4Exception>(() => Conversions.Run(source, destination, new ConversionOptions()));

        Assert.Equal("OutputNameCollision", error.ErrorId);
        Assert.False(Directory.Exists(destination));
    }
}
