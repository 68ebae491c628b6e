using Mxfp4.Core.Conversion;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tests.Conversion;
using Mxfp4.Core.Tests.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.FileSystem;

/// <summary>Rule 1: links are followed wherever they lead; sizes and change checks use the file opened, never the link.</summary>
public sealed class LinkTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>The conversion of the plain sample: what any route to the same files must produce, byte for byte.</summary>
    private IReadOnlyDictionary<string, string>? PlainConversion(string sample, string? file = null)
    {
        string plain = SampleCheckpointFiles.CopyTo(_temp.File("plain"), sample);
        string destination = _temp.File("plain-out-" + sample);
        Conversions.Run(file is null ? plain : Path.Combine(plain, file), destination, new ConversionOptions());
        return SampleCheckpointFiles.Snapshot(destination);
    }

    [Fact]
    public void A_sharded_Hugging_Face_cache_snapshot_opens_and_converts_like_the_plain_checkpoint()
    {
        string snapshot = HuggingFaceCache.Create(_temp.Path, SampleCheckpointFiles.HuggingFace);
        var expected = PlainConversion(SampleCheckpointFiles.HuggingFace);

        using (var checkpoint = Checkpoint.Open(snapshot))
        {
            Assert.Equal(33, checkpoint.Tensors.Count);
            Assert.Equal(Path.Combine(snapshot, "model-00001-of-00002.safetensors"), checkpoint.ShardPaths[0]);
        }

        using (var index = Checkpoint.Open(Path.Combine(snapshot, Checkpoint.DefaultIndexName)))
        {
            Assert.Equal(2, index.ShardPaths.Count);
        }

        string destination = _temp.File("out");
        Conversions.Run(snapshot, destination, new ConversionOptions());
        Assert.Equal(expected, SampleCheckpointFiles.Snapshot(destination));
    }

    [Fact]
    public void A_single_file_Hugging_Face_cache_snapshot_converts_instead_of_SourceChanged()
    {
        string snapshot = HuggingFaceCache.Create(_temp.Path, SampleCheckpointFiles.Original);
        var expected = PlainConversion(SampleCheckpointFiles.Original, "model.safetensors");

        string destination = _temp.File("out");
        Conversions.Run(Path.Combine(snapshot, "model.safetensors"), destination, new ConversionOptions());

        Assert.Equal(expected, SampleCheckpointFiles.Snapshot(destination));
    }

    [Fact]
    public void A_directory_of_links_to_shards_elsewhere_converts()
    {
        string elsewhere = SampleCheckpointFiles.CopyTo(_temp.File("other-disk"), SampleCheckpointFiles.HuggingFace);
        string links = _temp.File("links");
        Directory.CreateDirectory(links);
        foreach (var file in Directory.EnumerateFiles(elsewhere))
        {
            File.CreateSymbolicLink(Path.Combine(links, Path.GetFileName(file)), file);
        }

        var expected = PlainConversion(SampleCheckpointFiles.HuggingFace);
        string destination = _temp.File("out");
        Conversions.Run(links, destination, new ConversionOptions());

        Assert.Equal(expected, SampleCheckpointFiles.Snapshot(destination));
    }

    [Fact]
    public void A_linked_checkpoint_directory_and_an_index_name_through_a_linked_directory_are_followed()
    {
        string real = SampleCheckpointFiles.CopyTo(_temp.File("real"), SampleCheckpointFiles.HuggingFace);
        string link = _temp.File("linked");
        Directory.CreateSymbolicLink(link, real);
        var expected = PlainConversion(SampleCheckpointFiles.HuggingFace);

        string destination = _temp.File("out");
        Conversions.Run(link, destination, new ConversionOptions());
        Assert.Equal(expected, SampleCheckpointFiles.Snapshot(destination));

        // An index naming "sub/x" where sub is a link to a directory outside: followed (the name itself stays inside).
        string outer = _temp.File("outer");
        Directory.CreateDirectory(outer);
        Directory.CreateSymbolicLink(Path.Combine(outer, "sub"), real);
        string indexText = File.ReadAllText(Path.Combine(real, Checkpoint.DefaultIndexName)).Replace("\"model-0", "\"sub/model-0",
            StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(outer, Checkpoint.DefaultIndexName), indexText);
        using var checkpoint = Checkpoint.Open(outer);
        Assert.Equal(Path.Combine(outer, "sub", "model-00001-of-00002.safetensors"), checkpoint.ShardPaths[0]);
    }

    [Fact]
    public void The_change_check_of_a_linked_shard_uses_the_file_not_the_link()
    {
        string snapshot = HuggingFaceCache.Create(_temp.Path, SampleCheckpointFiles.Original);
        string link = Path.Combine(snapshot, "model.safetensors");

        using var file = SafetensorsFile.Open(link);
        Assert.Equal(((FileInfo)new FileInfo(link).ResolveLinkTarget(true)!).Length, file.Map.Length);
    }
}
