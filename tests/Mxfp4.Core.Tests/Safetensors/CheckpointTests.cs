using System.Text;
using Mxfp4.Core.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.Safetensors;

public sealed class CheckpointTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A hand-built shard of U8 tensors laid out in the given order, with optional metadata.</summary>
    private static string Shard(string path, (string Name, int Bytes)[] tensors, string? metadataJson = null)
    {
        var json = new StringBuilder("{");
        if (metadataJson is not null)
        {
            json.Append("\"__metadata__\":").Append(metadataJson).Append(',');
        }

        int offset = 0;
        foreach (var (name, bytes) in tensors)
        {
            json.Append('"').Append(name).Append("\":{\"dtype\":\"U8\",\"shape\":[").Append(bytes).Append("],\"data_offsets\":[")
                .Append(offset).Append(',').Append(offset + bytes).Append("]},");
            offset += bytes;
        }

        json.Length -= tensors.Length > 0 ? 1 : 0;
        json.Append('}');
        return SafetensorsBytes.Write(path, json.ToString(), offset);
    }

    private string Index(string name, string weightMapJson, string metadataJson = "{\"total_size\":13761300984}")
    {
        var path = _dir.File(name);
        File.WriteAllText(path, "{\"metadata\":" + metadataJson + ",\"weight_map\":" + weightMapJson + "}");
        return path;
    }

    private void TwoShards()
    {
        Shard(_dir.File("model-00002-of-00002.safetensors"), [("c", 2), ("b", 3)], "{\"format\":\"pt\",\"shard\":\"2\"}");
        Shard(_dir.File("model-00001-of-00002.safetensors"), [("a", 4)], "{\"format\":\"pt\",\"shard\":\"1\"}");
    }

    private const string TwoShardMap = "{\"c\":\"model-00002-of-00002.safetensors\",\"a\":\"model-00001-of-00002.safetensors\","
        + "\"b\":\"model-00002-of-00002.safetensors\"}";

    [Fact]
    public void Directory_with_index_uses_the_index()
    {
        TwoShards();
        var index = Index(Checkpoint.DefaultIndexName, TwoShardMap);
        using var checkpoint = Checkpoint.Open(_dir.Path);
        Assert.Equal(_dir.Path, checkpoint.Path);
        Assert.Equal(_dir.Path, checkpoint.RootDirectory);
        Assert.Equal(index, checkpoint.IndexPath);
        Assert.Equal([_dir.File("model-00001-of-00002.safetensors"), _dir.File("model-00002-of-00002.safetensors")], checkpoint.ShardPaths);
        Assert.Equal(["a", "c", "b"], checkpoint.Tensors.Select(t => t.Name));
        Assert.Equal(_dir.File("model-00002-of-00002.safetensors"), checkpoint.Find("b")!.Path);
        Assert.Null(checkpoint.Find("z"));
        Assert.Equal("13761300984", checkpoint.IndexMetadata["total_size"]);
        Assert.Equal("1", checkpoint.Metadata["shard"]);
        Assert.Equal("pt", checkpoint.Metadata["format"]);
    }

    [Fact]
    public void Index_file_opened_directly()
    {
        TwoShards();
        var index = Index("custom.index.json", TwoShardMap, "{\"total_size\":9,\"note\":\"hi\",\"nested\":{\"x\":[1, 2]},\"flag\":true}");
        using var checkpoint = Checkpoint.Open(index);
        Assert.Equal(index, checkpoint.Path);
        Assert.Equal(index, checkpoint.IndexPath);
        Assert.Equal(3, checkpoint.Tensors.Count);
        Assert.Equal("9", checkpoint.IndexMetadata["total_size"]);
        Assert.Equal("hi", checkpoint.IndexMetadata["note"]);
        Assert.Equal("{\"x\":[1, 2]}", checkpoint.IndexMetadata["nested"]);
        Assert.Equal("true", checkpoint.IndexMetadata["flag"]);
    }

    [Fact]
    public void Directory_without_index_takes_its_safetensors_files_in_ordinal_order()
    {
        TwoShards();
        Shard(_dir.File("B.safetensors"), [("d", 1)]);
        File.WriteAllText(_dir.File("README.md"), "not a shard");
        Directory.CreateDirectory(_dir.File("sub"));
        Shard(Path.Combine(_dir.File("sub"), "e.safetensors"), [("e", 1)]);
        using var checkpoint = Checkpoint.Open(_dir.Path);
        Assert.Null(checkpoint.IndexPath);
        Assert.Empty(checkpoint.IndexMetadata);
        Assert.Equal(
            [_dir.File("B.safetensors"), _dir.File("model-00001-of-00002.safetensors"), _dir.File("model-00002-of-00002.safetensors")],
            checkpoint.ShardPaths);
        Assert.Equal(["d", "a", "c", "b"], checkpoint.Tensors.Select(t => t.Name));
        Assert.Equal("1", checkpoint.Metadata["shard"]);
    }

    [Fact]
    public void Single_file()
    {
        var path = Shard(_dir.File("one.safetensors"), [("x", 2), ("y", 1)]);
        using var checkpoint = Checkpoint.Open(path);
        Assert.Equal(path, checkpoint.Path);
        Assert.Equal(_dir.Path, checkpoint.RootDirectory);
        Assert.Equal([path], checkpoint.ShardPaths);
        Assert.Empty(checkpoint.Metadata);
        Assert.Same(checkpoint.GetHeader(path).Find("y"), checkpoint.Find("y"));
    }

    [Fact]
    public void Maps_are_lazy_cached_shared_and_released()
    {
        TwoShards();
        Index(Checkpoint.DefaultIndexName, TwoShardMap);
        var checkpoint = Checkpoint.Open(_dir.Path);
        var shard = checkpoint.ShardPaths[1];
        var maps = new MappedFile[8];
        Parallel.For(0, maps.Length, i => maps[i] = checkpoint.GetMap(shard));
        Assert.All(maps, m => Assert.Same(maps[0], m));

        var b = checkpoint.Find("b")!;
        var expected = File.ReadAllBytes(shard).AsSpan((int)b.DataOffset, 3).ToArray();
        Assert.Equal(expected, maps[0].GetSpan(b.DataOffset, 3).ToArray());
        Assert.Throws<ArgumentException>(() => checkpoint.GetMap(_dir.File("nope.safetensors")));

        checkpoint.Dispose();
        Assert.Throws<ObjectDisposedException>(() => maps[0].GetSpan(0, 1).Length);
        Assert.Throws<ObjectDisposedException>(() => checkpoint.GetMap(shard));
    }

    [Theory]
    [InlineData("../outside.safetensors")]
    [InlineData("sub/../../outside.safetensors")]
    [InlineData("..\\outside.safetensors")]
    [InlineData("/etc/passwd")]
    [InlineData("\\server\\share.safetensors")]
    [InlineData("..")]
    [InlineData("")]
    public void Shard_names_that_leave_the_directory_are_refused(string shardName)
    {
        Shard(_dir.File("a.safetensors"), [("a", 1)]);
        var index = Index(Checkpoint.DefaultIndexName, "{\"a\":\"a.safetensors\",\"x\":" + JsonString(shardName) + "}");
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Open(_dir.Path));
        Assert.Equal("ShardOutsideCheckpoint", e.ErrorId);
        Assert.Equal(index, e.Path);
        Assert.Equal(shardName, e.ShardPath);
    }

    [Fact]
    public void Missing_shard_is_ShardNotFound_naming_index_and_shard()
    {
        Shard(_dir.File("a.safetensors"), [("a", 1)]);
        var index = Index(Checkpoint.DefaultIndexName, "{\"a\":\"a.safetensors\",\"b\":\"b.safetensors\"}");
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Open(_dir.Path));
        Assert.Equal("ShardNotFound", e.ErrorId);
        Assert.Equal(Mxfp4ErrorCategory.ObjectNotFound, e.Category);
        Assert.Equal(index, e.Path);
        Assert.Equal(_dir.File("b.safetensors"), e.ShardPath);
        Assert.Contains("b.safetensors", e.Message);
        Assert.Contains(index, e.Message);
    }

    [Fact]
    public void Tensor_absent_from_its_shard_is_TensorNotInShard()
    {
        TwoShards();
        var index = Index(Checkpoint.DefaultIndexName,
            "{\"a\":\"model-00002-of-00002.safetensors\",\"b\":\"model-00002-of-00002.safetensors\","
                + "\"c\":\"model-00002-of-00002.safetensors\"}");
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Open(_dir.Path));
        Assert.Equal("TensorNotInShard", e.ErrorId);
        Assert.Equal("a", e.TensorName);
        Assert.Equal(_dir.File("model-00002-of-00002.safetensors"), e.ShardPath);
        Assert.Equal(index, e.Path);
    }

    [Fact]
    public void Tensor_in_a_shard_but_not_in_the_weight_map_is_InvalidCheckpointIndex()
    {
        TwoShards();
        Index(Checkpoint.DefaultIndexName, "{\"a\":\"model-00001-of-00002.safetensors\",\"b\":\"model-00002-of-00002.safetensors\"}");
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Open(_dir.Path));
        Assert.Equal("InvalidCheckpointIndex", e.ErrorId);
        Assert.Equal("c", e.TensorName);
    }

    [Fact]
    public void Tensor_in_two_shards_is_InvalidCheckpointIndex_with_an_index()
    {
        Shard(_dir.File("s1.safetensors"), [("a", 1)]);
        Shard(_dir.File("s2.safetensors"), [("a", 1), ("b", 1)]);
        Index(Checkpoint.DefaultIndexName, "{\"a\":\"s1.safetensors\",\"b\":\"s2.safetensors\"}");
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Open(_dir.Path));
        Assert.Equal("InvalidCheckpointIndex", e.ErrorId);
        Assert.Equal("a", e.TensorName);
        Assert.Equal(_dir.File("s2.safetensors"), e.ShardPath);
    }

    [Fact]
    public void Tensor_in_two_files_is_DuplicateTensorName_without_an_index()
    {
        Shard(_dir.File("s1.safetensors"), [("a", 1)]);
        Shard(_dir.File("s2.safetensors"), [("a", 1)]);
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Open(_dir.Path));
        Assert.Equal("DuplicateTensorName", e.ErrorId);
        Assert.Equal("a", e.TensorName);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{")]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("{\"metadata\":{}}")]
    [InlineData("{\"weight_map\":[]}")]
    [InlineData("{\"weight_map\":\"a.safetensors\"}")]
    [InlineData("{\"weight_map\":{}}")]
    [InlineData("{\"weight_map\":{\"a\":1}}")]
    [InlineData("{\"weight_map\":{\"a\":null}}")]
    [InlineData("{\"weight_map\":{\"a\":[\"a.safetensors\"]}}")]
    [InlineData("{\"weight_map\":{\"a\":\"a.safetensors\",\"a\":\"a.safetensors\"}}")]
    [InlineData("{\"weight_map\":{\"a\":\"a.safetensors\"},\"weight_map\":{\"a\":\"a.safetensors\"}}")]
    [InlineData("{\"metadata\":{\"k\":1,\"k\":2},\"weight_map\":{\"a\":\"a.safetensors\"}}")]
    [InlineData("{\"metadata\":[],\"weight_map\":{\"a\":\"a.safetensors\"}}")]
    [InlineData("{\"weight_map\":{\"a\":\"a.safetensors\"}} x")]
    [InlineData("{\"weight_map\":{\"a\":\"a.safetensors\",}}")]
    public void Malformed_index_is_InvalidCheckpointIndex(string json)
    {
        Shard(_dir.File("a.safetensors"), [("a", 1)]);
        var index = _dir.File(Checkpoint.DefaultIndexName);
        File.WriteAllText(index, json);
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Open(index));
        Assert.Equal("InvalidCheckpointIndex", e.ErrorId);
        Assert.Equal(index, e.Path);
    }

    [Fact]
    public void Index_that_is_not_utf8_is_InvalidCheckpointIndex()
    {
        var index = _dir.File(Checkpoint.DefaultIndexName);
        File.WriteAllBytes(index, [(byte)'{', 0xFF, (byte)'}']);
        Assert.Equal("InvalidCheckpointIndex", Assert.Throws<CheckpointException>(() => Checkpoint.Open(_dir.Path)).ErrorId);
    }

    [Fact]
    public void Unknown_top_level_keys_in_the_index_are_tolerated()
    {
        Shard(_dir.File("a.safetensors"), [("a", 1)]);
        var index = _dir.File(Checkpoint.DefaultIndexName);
        File.WriteAllText(index, "{\"weight_map\":{\"a\":\"a.safetensors\"},\"extra\":{\"deep\":[1,{\"x\":2}]}}");
        using var checkpoint = Checkpoint.Open(index);
        Assert.Empty(checkpoint.IndexMetadata);
        Assert.Single(checkpoint.Tensors);
    }

    [Fact]
    public void Directory_without_safetensors_is_NoSafetensorsFiles()
    {
        File.WriteAllText(_dir.File("notes.txt"), "x");
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Open(_dir.Path));
        Assert.Equal("NoSafetensorsFiles", e.ErrorId);
        Assert.Equal(_dir.Path, e.Path);
    }

    [Fact]
    public void Missing_path_is_PathNotFound()
    {
        var path = _dir.File("missing.safetensors");
        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Open(path));
        Assert.Equal("PathNotFound", e.ErrorId);
        Assert.Equal(Mxfp4ErrorCategory.ObjectNotFound, e.Category);
        Assert.Equal(path, e.Path);
    }

    [Fact]
    public void Invalid_shard_header_names_the_shard()
    {
        Shard(_dir.File("a.safetensors"), [("a", 1)]);
        File.WriteAllBytes(_dir.File("b.safetensors"),
            SafetensorsBytes.Build("{\"b\":{\"dtype\":\"X\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1));
        var e = Assert.Throws<SafetensorsFormatException>(() => Checkpoint.Open(_dir.Path));
        Assert.Equal(SafetensorsErrorKind.UnknownDType, e.Kind);
        Assert.Equal(_dir.File("b.safetensors"), e.Path);
        Assert.Equal("b", e.TensorName);
    }

    private static string JsonString(string value) => System.Text.Json.JsonSerializer.Serialize(value);
}
