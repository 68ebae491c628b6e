using Mxfp4.Core.Conversion;
using Mxfp4.Core.FileSystem;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tests.Conversion;
using Mxfp4.Core.Tests.Safetensors;
using Xunit;

namespace Mxfp4.Core.Tests.FileSystem;

/// <summary>Rule 3: where a file is read, only a regular file is read; anything else is UnsupportedFileType at once, never a
/// hang.</summary>
public sealed class SpecialFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static UnsupportedFileTypeException Refused(Func<object> action)
        => Assert.Throws<UnsupportedFileTypeException>(() => SpecialFiles.WithinSeconds(10, action));

    [LinuxFact]
    public void A_FIFO_named_as_a_single_file_checkpoint_is_refused_without_blocking()
    {
        string fifo = SpecialFiles.MakeFifo(_temp.File("model.safetensors"));

        var error = Refused(() => Checkpoint.Open(fifo));

        Assert.Equal(FileKind.Fifo, error.Kind);
        Assert.Equal("UnsupportedFileType", error.ErrorId);
        Assert.Equal(Mxfp4ErrorCategory.InvalidData, error.Category);
    }

    [LinuxFact]
    public void A_FIFO_as_a_shard_of_an_index_or_of_a_directory_is_refused()
    {
        string withIndex = SampleCheckpointFiles.CopyTo(_temp.File("indexed"), SampleCheckpointFiles.HuggingFace);
        File.Delete(Path.Combine(withIndex, "model-00002-of-00002.safetensors"));
        SpecialFiles.MakeFifo(Path.Combine(withIndex, "model-00002-of-00002.safetensors"));
        string directory = _temp.File("plain");
        Directory.CreateDirectory(directory);
        SpecialFiles.MakeFifo(Path.Combine(directory, "model.safetensors"));

        Assert.Equal(FileKind.Fifo, Refused(() => Checkpoint.Open(withIndex)).Kind);
        Assert.Equal(FileKind.Fifo, Refused(() => Checkpoint.Open(directory)).Kind);
    }

    [LinuxFact]
    public void A_FIFO_as_the_index_is_refused()
    {
        string source = SampleCheckpointFiles.CopyTo(_temp.Path, SampleCheckpointFiles.HuggingFace);
        string index = Path.Combine(source, Checkpoint.DefaultIndexName);
        File.Delete(index);
        SpecialFiles.MakeFifo(index);

        Assert.Equal(index, Refused(() => Checkpoint.Open(source)).Path);
    }

    [LinuxFact]
    public void A_FIFO_in_the_checkpoint_directory_stops_the_conversion_before_anything_is_written()
    {
        string source = SampleCheckpointFiles.CopyTo(_temp.Path, SampleCheckpointFiles.HuggingFace);
        string fifo = SpecialFiles.MakeFifo(Path.Combine(source, "tokenizer.json"));
        string destination = _temp.File("out");

        var error = Refused(() => Conversions.Run(source, destination, new ConversionOptions()));

        Assert.Equal(fifo, error.Path);
        Assert.False(Directory.Exists(destination));
    }

    [LinuxFact]
    public void A_FIFO_as_config_json_is_refused_for_the_Transformers_layout_too()
    {
        string source = SampleCheckpointFiles.CopyTo(_temp.Path, SampleCheckpointFiles.HuggingFace);
        string config = Path.Combine(source, "config.json");
        File.Delete(config);
        SpecialFiles.MakeFifo(config);
        string destination = _temp.File("out");

        Refused(() => Conversions.Run(source, destination, new ConversionOptions { Layout = ConversionLayout.Transformers }));

        Assert.False(Directory.Exists(destination));
    }

    [LinuxFact]
    public void A_FIFO_or_directory_taking_an_output_name_is_never_replaced_and_nothing_is_written()
    {
        string source = SampleCheckpointFiles.CopyTo(_temp.Path, SampleCheckpointFiles.HuggingFace);
        string destination = _temp.File("out");
        Directory.CreateDirectory(destination);
        string fifo = SpecialFiles.MakeFifo(Path.Combine(destination, "config.json"));
        Directory.CreateDirectory(Path.Combine(destination, "model-00002-of-00002.safetensors"));

        var error = Refused(() => Conversions.Run(source, destination, new ConversionOptions { Force = true }));

        Assert.Equal(FileKind.Directory, error.Kind);
        Assert.True(SpecialFiles.IsFifo(fifo));
        Assert.Equal(2, Directory.GetFileSystemEntries(destination).Length);
    }

    [RootFact]
    public void A_copied_file_linked_to_a_device_is_refused_not_copied()
    {
        string source = SampleCheckpointFiles.CopyTo(_temp.Path, SampleCheckpointFiles.HuggingFace);
        string device = SpecialFiles.MakeCharacterDevice(_temp.File("null-device"), 1, 3);
        File.CreateSymbolicLink(Path.Combine(source, "tokenizer.json"), device);
        string destination = _temp.File("out");

        var error = Refused(() => Conversions.Run(source, destination, new ConversionOptions()));

        Assert.Equal(FileKind.CharacterDevice, error.Kind);
        Assert.False(Directory.Exists(destination));
    }

    [RootFact]
    public void A_shard_that_is_a_device_is_refused()
    {
        string device = SpecialFiles.MakeCharacterDevice(_temp.File("zero.safetensors"), 1, 5);

        Assert.Equal(FileKind.CharacterDevice, Refused(() => Checkpoint.Open(device)).Kind);
        Assert.Equal(FileKind.CharacterDevice, Refused(() => SafetensorsHeader.Read(device)).Kind);
    }
}
