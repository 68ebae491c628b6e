using System.Security.Cryptography;
using Xunit;

namespace Mxfp4.PowerShell.Tests.Reliability;

/// <summary>Destinations that would destroy the source or cannot be written are refused before anything is written.</summary>
public sealed class OutputSafetyTests : IDisposable
{
    private readonly SmallCheckpoint _checkpoint = new();
    private readonly ModuleSession _session = new();
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "mxfp4-out-" + Guid.NewGuid().ToString("N"));

    public OutputSafetyTests() => Directory.CreateDirectory(_scratch);

    public void Dispose()
    {
        _session.Dispose();
        _checkpoint.Dispose();
        Directory.Delete(_scratch, recursive: true);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" -Force")]
    public void OutFile_equal_to_the_input_shard_is_refused_and_the_shard_is_untouched(string force)
    {
        byte[] before = SHA256.HashData(File.ReadAllBytes(_checkpoint.Path));

        var result = _session.Run($"Get-Mxfp4Tensor $checkpoint | ConvertFrom-Mxfp4 -OutFile $checkpoint{force}", new Dictionary<string,
            object?>
        { ["checkpoint"] = _checkpoint.Path });

        var error = Assert.Single(result.Errors);
        // Without -Force the existing file already stops it; with -Force only the new check does.
        string expected = force.Length == 0 ? "OutputExists" : "OutputIsInput";
        Assert.StartsWith(expected + ",", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Empty(result.Output);
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(_checkpoint.Path)));
        Assert.Equal(["model.safetensors"], Directory.GetFiles(_checkpoint.DirectoryPath).Select(Path.GetFileName));
    }

    [Fact]
    public void OutFile_reaching_the_input_shard_through_a_symbolic_link_is_refused()
    {
        string link = Path.Combine(_scratch, "alias.safetensors");
        File.CreateSymbolicLink(link, _checkpoint.Path);
        byte[] before = SHA256.HashData(File.ReadAllBytes(_checkpoint.Path));

        var result = _session.Run("Get-SafetensorsHeader $checkpoint -Name model.norm.weight | ConvertFrom-Mxfp4 -OutFile $link -Force",
            new Dictionary<string, object?> { ["checkpoint"] = _checkpoint.Path, ["link"] = link });

        Assert.StartsWith("OutputIsInput,", Assert.Single(result.Errors).FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(_checkpoint.Path)));
        Assert.Equal(["alias.safetensors"], Directory.GetFileSystemEntries(_scratch).Select(Path.GetFileName));
    }

    [Fact]
    public void OutFile_beside_the_input_is_written()
    {
        string target = Path.Combine(_checkpoint.DirectoryPath, "norm.bin");

        var result = _session.Run(
            "Get-SafetensorsHeader $checkpoint -Name model.norm.weight | ConvertFrom-Mxfp4 -OutFile $target -Format F32",
            new Dictionary<string, object?> { ["checkpoint"] = _checkpoint.Path, ["target"] = target });

        Assert.Empty(result.Errors);
        Assert.Equal(64 * 4, new FileInfo(target).Length);
    }

    [Fact]
    public void Destination_whose_parent_is_missing_is_refused()
    {
        string destination = Path.Combine(_scratch, "missing", "converted");

        var result = _session.Run("ConvertFrom-Mxfp4 -Path $checkpoint -Destination $destination", new Dictionary<string,
            object?>
        { ["checkpoint"] = _checkpoint.Path, ["destination"] = destination });

        Assert.StartsWith("DestinationParentNotFound,", Assert.Single(result.Errors).FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_scratch));
    }

    [Theory]
    [InlineData("")]
    [InlineData("converted")]
    public void Destination_that_is_the_source_directory_or_inside_it_is_refused(string child)
    {
        string destination = Path.Combine(_checkpoint.DirectoryPath, child);

        var result = _session.Run("ConvertFrom-Mxfp4 -Path $source -Destination $destination -Force", new Dictionary<string,
            object?>
        { ["source"] = _checkpoint.DirectoryPath, ["destination"] = destination });

        Assert.StartsWith("DestinationIsSource,", Assert.Single(result.Errors).FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(["model.safetensors"], Directory.GetFileSystemEntries(_checkpoint.DirectoryPath).Select(Path.GetFileName));
    }

    [ReadOnlyDirectoryFact]
    public void Destination_in_a_read_only_directory_fails_cleanly()
    {
        using var readOnly = ReadOnlyDirectory.Create(Path.Combine(_scratch, "ro"));
        string destination = Path.Combine(readOnly.Path, "converted");
        string outFile = Path.Combine(readOnly.Path, "w.bin");

        var convert = _session.Run("ConvertFrom-Mxfp4 -Path $checkpoint -Destination $destination", new Dictionary<string,
            object?>
        { ["checkpoint"] = _checkpoint.Path, ["destination"] = destination });
        var write = _session.Run("Get-Mxfp4Tensor $checkpoint | ConvertFrom-Mxfp4 -OutFile $outFile", new Dictionary<string,
            object?>
        { ["outFile"] = outFile });

        Assert.StartsWith("OutputWriteFailed,", Assert.Single(convert.Errors).FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.StartsWith("OutputWriteFailed,", Assert.Single(write.Errors).FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(readOnly.Path));
    }
}
