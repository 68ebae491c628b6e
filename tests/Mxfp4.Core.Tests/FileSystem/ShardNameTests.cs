using Mxfp4.Core.FileSystem;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tests.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.FileSystem;

/// <summary>Shard names from an index are checked lexically and every refusal is a specific error, never a bare exception.</summary>
public sealed class ShardNameTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string IndexNaming(string shardName)
    {
        SafetensorsBytes.Write(_dir.File("a.safetensors"), "{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1);
        string escaped = System.Text.Json.JsonSerializer.Serialize(shardName);
        string index = _dir.File(Checkpoint.DefaultIndexName);
        File.WriteAllText(index, "{\"weight_map\":{\"a\":\"a.safetensors\",\"x\":" + escaped + "}}");
        return index;
    }

    [Theory]
    [InlineData("/abs.safetensors", "ShardOutsideCheckpoint")]
    [InlineData("sub\\..\\x.safetensors", "ShardOutsideCheckpoint")]
    [InlineData("sub/..\\..\\x.safetensors", "ShardOutsideCheckpoint")]
    [InlineData("a\0b.safetensors", "InvalidCheckpointIndex")]
    [InlineData("a\u001b[31mb.safetensors", "InvalidCheckpointIndex")]
    [InlineData("line\nbreak.safetensors", "InvalidCheckpointIndex")]
    [InlineData(".", "InvalidCheckpointIndex")]
    [InlineData("./", "InvalidCheckpointIndex")]
    [InlineData("sub/.", "UnsupportedFileType")]
    public void A_bad_shard_name_is_a_specific_error(string shardName, string errorId)
    {
        Directory.CreateDirectory(_dir.File("sub"));
        IndexNaming(shardName);

        var error = Assert.ThrowsAny<Mxfp4Exception>(() => Checkpoint.Open(_dir.Path));

        Assert.Equal(errorId, error.ErrorId);
        Assert.DoesNotContain('\0', error.Message);
        Assert.DoesNotContain('\u001b', error.Message);
    }

    [Fact]
    public void A_shard_that_is_a_directory_is_UnsupportedFileType_not_missing()
    {
        Directory.CreateDirectory(_dir.File("dir.safetensors"));
        IndexNaming("dir.safetensors");

        var error = Assert.Throws<UnsupportedFileTypeException>(() => Checkpoint.Open(_dir.Path));

        Assert.Equal(FileKind.Directory, error.Kind);
        Assert.Equal(_dir.File("dir.safetensors"), error.Path);
        Assert.Contains("is a directory", error.Message);
    }

    [Fact]
    public void A_loop_of_links_is_ShardNotFound_saying_so()
    {
        File.CreateSymbolicLink(_dir.File("l1.safetensors"), _dir.File("l2.safetensors"));
        File.CreateSymbolicLink(_dir.File("l2.safetensors"), _dir.File("l1.safetensors"));
        IndexNaming("l1.safetensors");

        var error = Assert.Throws<CheckpointException>(() => Checkpoint.Open(_dir.Path));

        Assert.Equal("ShardNotFound", error.ErrorId);
        Assert.Contains("loop", error.Message);
    }
}
