using Mxfp4.Core.Safetensors;
using Mxfp4.PowerShell.Tests.Cmdlets;
using Xunit;

namespace Mxfp4.PowerShell.Tests.Reliability;

/// <summary>
/// A shard truncated or replaced after it was listed: the cmdlets re-check the file before reading a tensor and
/// report a clear error instead of reading unmapped pages (which would be a SIGBUS) or stale offsets.
/// </summary>
public sealed class SourceChangedTests : IDisposable
{
    private readonly SmallCheckpoint _checkpoint = new();
    private readonly ModuleSession _session = new();

    public void Dispose()
    {
        _session.Dispose();
        _checkpoint.Dispose();
    }

    [Theory]
    [InlineData("ConvertFrom-Mxfp4 | Out-Null")]
    [InlineData("ConvertFrom-Mxfp4 -AsByteStream | Out-Null")]
    [InlineData("Invoke-Mxfp4MatVec -Vector ([float[]]::new(64)) | Out-Null")]
    public void Truncated_shard_gives_a_format_error(string consumer)
    {
        _session.Run("$tensors = Get-Mxfp4Tensor $checkpoint", new Dictionary<string, object?> { ["checkpoint"] = _checkpoint.Path });
        using (var file = new FileStream(_checkpoint.Path, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(file.Length - 100);
        }

        var result = _session.Run("$tensors | " + consumer);

        var error = Assert.Single(result.Errors);
        // The module's engine lives in its own load context, so its exception type is not this test's type of that
        // name: compare by name, as a script would.
        Assert.StartsWith("InvalidSafetensorsHeader,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(typeof(SafetensorsFormatException).FullName, error.Exception.GetType().FullName);
        Assert.Equal(nameof(SafetensorsErrorKind.TruncatedFile),
            error.Exception.GetType().GetProperty(nameof(SafetensorsFormatException.Kind))!.GetValue(error.Exception)!.ToString());
        Assert.DoesNotContain(_checkpoint.Path, OpenFiles.MappedOrOpen());
    }

    [Fact]
    public void Shard_replaced_by_another_layout_gives_SourceChanged()
    {
        _session.Run("$tensors = Get-Mxfp4Tensor $checkpoint", new Dictionary<string, object?> { ["checkpoint"] = _checkpoint.Path });
        File.Delete(_checkpoint.Path);
        SafetensorsWriter.WriteFile(_checkpoint.Path,
        [
            (new TensorSpec("padding", SafetensorsDType.U8, [1000]), new byte[1000]),
            (new TensorSpec("model.layers.0.mlp.experts.down_proj_blocks", SafetensorsDType.U8, [4, 64, 2, 16]), new byte[4 * 64 * 2 * 16]),
            (new TensorSpec("model.layers.0.mlp.experts.down_proj_scales", SafetensorsDType.U8, [4, 64, 2]), new byte[4 * 64 * 2]),
        ]);

        var result = _session.Run("$tensors | ConvertFrom-Mxfp4");

        Assert.True(result.Errors.Count == 1, $"{result.Errors.Count} errors, {result.Output.Count} outputs");
        Assert.StartsWith("SourceChanged,", Assert.Single(result.Errors).FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Empty(result.Output);
    }
}
