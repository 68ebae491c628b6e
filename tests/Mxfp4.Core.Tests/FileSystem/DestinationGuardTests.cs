using Mxfp4.Core.Conversion;
using Mxfp4.Core.FileSystem;
using Mxfp4.Core.Tests.Conversion;
using Mxfp4.Core.Tests.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.FileSystem;

/// <summary>Rule 2: guards compare files, not strings, so no link, <c>.</c>, <c>..</c> or doubled separator reaches a source.</summary>
public sealed class DestinationGuardTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("link", true)]
    [InlineData("link/converted", true)]
    [InlineData("link/./sub/../converted", true)]
    [InlineData("gpt-oss-tiny//converted", false)]
    public void A_destination_reaching_the_source_through_a_link_is_refused_and_the_source_untouched(string destination, bool force)
    {
        string source = SampleCheckpointFiles.CopyTo(_temp.Path, SampleCheckpointFiles.HuggingFace);
        Directory.CreateDirectory(Path.Combine(source, "sub"));
        Directory.CreateSymbolicLink(_temp.File("link"), source);
        var before = SampleCheckpointFiles.Snapshot(source);

        var error = Assert.Throws<Mxfp4Exception>(()
            => Conversions.Run(source, _temp.Path + "/" + destination, new ConversionOptions { Force = force }));

        Assert.Equal("DestinationIsSource", error.ErrorId);
        Assert.Equal(before, SampleCheckpointFiles.Snapshot(source));
    }

    [Fact]
    public void A_single_file_source_cannot_be_converted_into_its_own_directory_through_a_link()
    {
        string source = SampleCheckpointFiles.CopyTo(_temp.Path, SampleCheckpointFiles.Original);
        Directory.CreateSymbolicLink(_temp.File("link"), source);
        var before = SampleCheckpointFiles.Snapshot(source);

        var error = Assert.Throws<Mxfp4Exception>(()
            => Conversions.Run(Path.Combine(source, "model.safetensors"), _temp.File("link"), new ConversionOptions { Force = true }));

        Assert.Equal("DestinationIsSource", error.ErrorId);
        Assert.Equal(before, SampleCheckpointFiles.Snapshot(source));
    }

    [Fact]
    public void An_output_name_in_the_destination_that_links_to_a_source_shard_is_refused()
    {
        string source = SampleCheckpointFiles.CopyTo(_temp.Path, SampleCheckpointFiles.HuggingFace);
        string destination = _temp.File("out");
        Directory.CreateDirectory(destination);
        string shard = Path.Combine(source, "model-00001-of-00002.safetensors");
        File.CreateSymbolicLink(Path.Combine(destination, "model-00001-of-00002.safetensors"), shard);

        var error = Assert.Throws<Mxfp4Exception>(() => Conversions.Run(source, destination, new ConversionOptions { Force = true }));

        Assert.Equal("DestinationIsSource", error.ErrorId);
        Assert.Single(Directory.GetFileSystemEntries(destination));
    }

    [Fact]
    public void SameFile_sees_through_dot_dotdot_doubled_separators_and_links()
    {
        string directory = _temp.File("d");
        Directory.CreateDirectory(Path.Combine(directory, "sub"));
        string file = Path.Combine(directory, "f.bin");
        File.WriteAllText(file, "x");
        Directory.CreateSymbolicLink(_temp.File("alias"), directory);

        Assert.True(FileIdentity.SameFile(file, directory + "/./sub/../f.bin"));
        Assert.True(FileIdentity.SameFile(file, directory + "//f.bin"));
        Assert.True(FileIdentity.SameFile(file, _temp.File("alias") + "/f.bin"));
        Assert.False(FileIdentity.SameFile(file, Path.Combine(directory, "sub")));
        Assert.False(FileIdentity.SameFile(file, Path.Combine(directory, "missing.bin")));
        Assert.Equal(Path.Combine(directory, "new", "x.bin"), FileIdentity.RealPath(_temp.File("alias") + "/new/x.bin"));
    }
}
