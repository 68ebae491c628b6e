using Mxfp4.Core.Conversion;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tests.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.Conversion;

/// <summary>Whole-checkpoint conversions of the samples, read back and compared tensor by tensor with the source.</summary>
public sealed class CheckpointConversionTests
{
    [Theory]
    [InlineData(SampleCheckpointFiles.HuggingFace, OutputFormat.BF16)]
    [InlineData(SampleCheckpointFiles.HuggingFace, OutputFormat.F32)]
    [InlineData(SampleCheckpointFiles.HuggingFace, OutputFormat.F16)]
    [InlineData(SampleCheckpointFiles.Original, OutputFormat.BF16)]
    [InlineData(SampleCheckpointFiles.Original, OutputFormat.F32)]
    [InlineData(SampleCheckpointFiles.Original, OutputFormat.F16)]
    public void Natural_layout_matches_the_reference_and_the_source_bytes(string sample, OutputFormat format)
    {
        using var temp = new TempDirectory();
        string source = SampleCheckpointFiles.CopyTo(temp.Path, sample);
        var before = SampleCheckpointFiles.Snapshot(source);
        string destination = temp.File("out");

        var result = Conversions.Run(source, destination, new ConversionOptions { Format = format });

        ConvertedCheckpoint.AssertMatchesSource(source, destination, format, ConversionLayout.Natural);
        Assert.Equal(before, SampleCheckpointFiles.Snapshot(source));
        Assert.Equal(4, result.TensorsConverted);
        Assert.Equal(Directory.GetFiles(destination).Order(StringComparer.Ordinal), result.WrittenFiles.Order(StringComparer.Ordinal));
        Assert.Equal(Directory.GetFiles(destination, "*.safetensors").Sum(f => new FileInfo(f).Length), result.BytesWritten);
    }

    [Theory]
    [InlineData(OutputFormat.BF16)]
    [InlineData(OutputFormat.F32)]
    [InlineData(OutputFormat.F16)]
    public void Transformers_layout_transposes_experts_and_drops_quantization_config(OutputFormat format)
    {
        using var temp = new TempDirectory();
        string source = SampleCheckpointFiles.CopyTo(temp.Path, SampleCheckpointFiles.HuggingFace);
        string destination = temp.File("out");

        Conversions.Run(source, destination, new ConversionOptions { Format = format, Layout = ConversionLayout.Transformers });

        ConvertedCheckpoint.AssertMatchesSource(source, destination, format, ConversionLayout.Transformers);
        using var output = Checkpoint.Open(destination);
        Assert.Equal(new long[] { 4, 64, 128 }, output.Find("model.layers.1.mlp.experts.gate_up_proj")!.Shape);
        Assert.Equal(new long[] { 4, 64, 64 }, output.Find("model.layers.0.mlp.experts.down_proj")!.Shape);
    }

    [Fact]
    public void Index_and_single_file_inputs_give_the_same_output_as_the_directory()
    {
        using var temp = new TempDirectory();
        string source = SampleCheckpointFiles.CopyTo(temp.Path, SampleCheckpointFiles.HuggingFace);
        Conversions.Run(source, temp.File("from-directory"), new ConversionOptions());
        Conversions.Run(Path.Combine(source, Checkpoint.DefaultIndexName), temp.File("from-index"), new ConversionOptions());

        Assert.Equal(SampleCheckpointFiles.Snapshot(temp.File("from-directory")), SampleCheckpointFiles.Snapshot(temp.File("from-index")));

        string original = SampleCheckpointFiles.CopyTo(temp.Path, SampleCheckpointFiles.Original);
        Conversions.Run(Path.Combine(original, "model.safetensors"), temp.File("from-file"), new ConversionOptions());
        ConvertedCheckpoint.AssertMatchesSource(original, temp.File("from-file"), OutputFormat.BF16, ConversionLayout.Natural);
    }

    [Fact]
    public void Index_metadata_keeps_every_value_and_its_JSON_type()
    {
        using var temp = new TempDirectory();
        string source = SampleCheckpointFiles.CopyTo(temp.Path, SampleCheckpointFiles.HuggingFace);
        string index = Path.Combine(source, Checkpoint.DefaultIndexName);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(index))!.AsObject();
        json["metadata"] = System.Text.Json.Nodes.JsonNode.Parse(
            """{"total_size": 1, "format": "pt", "count": 3, "numeric_text": "123", "nested": {"a": [1, true, null]}}""");
        File.WriteAllText(index, json.ToJsonString());
        string destination = temp.File("out");

        Conversions.Run(source, destination, new ConversionOptions());

        ConvertedCheckpoint.AssertMatchesSource(source, destination, OutputFormat.BF16, ConversionLayout.Natural);
        var metadata = System.Text.Json.Nodes.JsonNode.Parse(
            File.ReadAllText(Path.Combine(destination, Checkpoint.DefaultIndexName)))!["metadata"]!.AsObject();
        metadata.Remove("total_size");
        var expected = System.Text.Json.Nodes.JsonNode.Parse(
            """{"format": "pt", "count": 3, "numeric_text": "123", "nested": {"a": [1, true, null]}}""");
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(expected, metadata), metadata.ToJsonString());
    }

    [Fact]
    public void Planning_writes_nothing()
    {
        using var temp = new TempDirectory();
        string source = SampleCheckpointFiles.CopyTo(temp.Path, SampleCheckpointFiles.HuggingFace);
        string empty = temp.File("empty");
        Directory.CreateDirectory(empty);
        using var checkpoint = Checkpoint.Open(source);

        var plan = ConversionPlan.Create(checkpoint, temp.File("new"), new ConversionOptions { Layout = ConversionLayout.Transformers });
        ConversionPlan.Create(checkpoint, empty, new ConversionOptions());

        Assert.False(Directory.Exists(temp.File("new")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(empty));
        Assert.Equal(2, plan.Shards.Count);
        Assert.Equal(plan.Shards.Sum(s => s.Tensors.Sum(t => t.Spec.ByteLength)), plan.TotalTensorBytes);
        Assert.All(plan.Shards, s => Assert.Equal(0, s.Layout.DataStart % 8));
    }

    [Fact]
    public void An_empty_existing_destination_is_written_without_Force()
    {
        using var temp = new TempDirectory();
        string source = SampleCheckpointFiles.CopyTo(temp.Path, SampleCheckpointFiles.Original);
        string destination = temp.File("out");
        Directory.CreateDirectory(destination);

        Conversions.Run(source, destination, new ConversionOptions());

        ConvertedCheckpoint.AssertMatchesSource(source, destination, OutputFormat.BF16, ConversionLayout.Natural);
    }

    [Fact]
    public void An_existing_nonempty_destination_is_refused_without_Force_and_left_unchanged()
    {
        using var temp = new TempDirectory();
        string source = SampleCheckpointFiles.CopyTo(temp.Path, SampleCheckpointFiles.HuggingFace);
        string destination = temp.File("out");
        Directory.CreateDirectory(destination);
        File.WriteAllText(Path.Combine(destination, "model-00001-of-00002.safetensors"), "old");
        var before = SampleCheckpointFiles.Snapshot(destination);

        var error = Assert.Throws<OutputExistsException>(() => Conversions.Run(source, destination, new ConversionOptions()));

        Assert.Equal("OutputExists", error.ErrorId);
        Assert.Equal(Mxfp4ErrorCategory.ResourceExists, error.Category);
        Assert.Equal(before, SampleCheckpointFiles.Snapshot(destination));
    }

    [Fact]
    public void A_destination_that_is_a_file_is_refused()
    {
        using var temp = new TempDirectory();
        string source = SampleCheckpointFiles.CopyTo(temp.Path, SampleCheckpointFiles.Original);
        File.WriteAllText(temp.File("out"), "a file");

        var error = Assert.Throws<OutputExistsException>(()
            => Conversions.Run(source, temp.File("out"), new ConversionOptions { Force = true }));

        Assert.Equal("OutputExists", error.ErrorId);
        Assert.Equal("a file", File.ReadAllText(temp.File("out")));
    }

    [Fact]
    public void Force_replaces_files_of_the_same_name_and_keeps_the_others()
    {
        using var temp = new TempDirectory();
        string source = SampleCheckpointFiles.CopyTo(temp.Path, SampleCheckpointFiles.HuggingFace);
        Conversions.Run(source, temp.File("fresh"), new ConversionOptions());
        string destination = temp.File("out");
        Directory.CreateDirectory(destination);
        File.WriteAllText(Path.Combine(destination, "model-00001-of-00002.safetensors"), "old shard");
        File.WriteAllText(Path.Combine(destination, "config.json"), "{}");
        File.WriteAllText(Path.Combine(destination, "notes.txt"), "keep me");

        Conversions.Run(source, destination, new ConversionOptions { Force = true });

        var expected = SampleCheckpointFiles.Snapshot(temp.File("fresh"))!.ToDictionary();
        expected["notes.txt"] = SampleCheckpointFiles.Snapshot(destination)!["notes.txt"];
        Assert.Equal(expected, SampleCheckpointFiles.Snapshot(destination));
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(destination, "notes.txt")));
    }

    [Fact]
    public void Selected_shards_only_write_those_shards_and_no_index()
    {
        using var temp = new TempDirectory();
        string source = SampleCheckpointFiles.CopyTo(temp.Path, SampleCheckpointFiles.HuggingFace);
        Conversions.Run(source, temp.File("fresh"), new ConversionOptions());
        string destination = temp.File("out");
        using var checkpoint = Checkpoint.Open(source);
        var plan = ConversionPlan.Create(checkpoint, destination, new ConversionOptions());

        var result = CheckpointConverter.Execute(checkpoint, plan, [plan.Shards[1]]);

        Assert.Equal([Path.Combine(destination, "model-00002-of-00002.safetensors")], result.WrittenFiles);
        Assert.Equal(["model-00002-of-00002.safetensors"], Directory.GetFiles(destination).Select(Path.GetFileName));
        Assert.Equal(File.ReadAllBytes(temp.File("fresh/model-00002-of-00002.safetensors")), File.ReadAllBytes(result.WrittenFiles[0]));
    }

    [Fact]
    public void SafetensorsOnly_skips_the_other_files()
    {
        using var temp = new TempDirectory();
        string source = SampleCheckpointFiles.CopyTo(temp.Path, SampleCheckpointFiles.HuggingFace);
        string destination = temp.File("out");

        Conversions.Run(source, destination, new ConversionOptions { SafetensorsOnly = true });

        Assert.Equal(
            ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", Checkpoint.DefaultIndexName],
            Directory.GetFiles(destination).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
