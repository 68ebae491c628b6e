using Xunit;

namespace Mxfp4.PowerShell.Tests.Cmdlets;

/// <summary>What a pwsh user sees: every output type prints through its table view in Mxfp4.Format.ps1xml.</summary>
public sealed class FormatViewTests : IDisposable
{
    private readonly ModuleSession _session = new();

    public void Dispose() => _session.Dispose();

    private static Dictionary<string, object?> Sample
        => new() { ["sample"] = Path.Combine(RepositoryLayout.RepositoryRoot, "samples", "gpt-oss-tiny") };

    [Fact]
    public void TensorInfo_prints_name_dtype_shape_and_a_human_size()
    {
        var text = Run("Get-SafetensorsHeader $sample -Name '*layers.0.mlp.experts.gate_up_proj_blocks'");
        AssertHeader(text, "DType", "Shape", "Size", "Name");
        Assert.Matches(@"U8\s+\[4, 128, 2, 16\]\s+16\.0 KiB\s+model\.layers\.0\.mlp\.experts\.gate_up_proj_blocks", text);
    }

    [Fact]
    public void Mxfp4TensorInfo_prints_the_logical_shape_style_and_file()
    {
        var text = Run("Get-Mxfp4Tensor $sample -Name '*layers.1*down_proj'");
        AssertHeader(text, "Shape", "Size", "File", "Name");
        Assert.Matches(@"\[4, 64, 64\]\s+8\.5 KiB\s+model-00002-of-00002\.safetensors\s+model\.layers\.1\.mlp\.experts\.down_proj", text);
    }

    [Fact]
    public void Tensor_data_prints_a_preview_never_the_whole_array()
    {
        var text = Run("Get-Mxfp4Tensor $sample -Name '*layers.0*down_proj' | ConvertFrom-Mxfp4 -Expert 1");
        AssertHeader(text, "Name", "Expert", "Format", "Shape", "Data");
        Assert.Contains("…]", text, StringComparison.Ordinal);
        Assert.True(text.Split('\n').Length < 12, text);
    }

    [Fact]
    public void MatVec_results_print_a_preview_of_the_values()
    {
        var text = Run("Get-Mxfp4Tensor $sample -Name '*layers.0*down_proj' | Invoke-Mxfp4MatVec -Expert 0 -Vector ([float[]]::new(64))");
        AssertHeader(text, "Name", "Expert", "Vector", "Precision", "Length", "Values");
        Assert.Contains("[0, 0, 0, 0, 0, 0, …]", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Metadata_prints_source_key_and_value()
    {
        var text = Run("Get-SafetensorsHeader $sample -Metadata");
        AssertHeader(text, "Source", "Key", "Value");
        Assert.Matches(@"Header\s+format\s+pt", text);
        Assert.Matches(@"Index\s+total_size\s+\d+", text);
    }

    private static void AssertHeader(string text, params string[] columns)
        => Assert.Matches(string.Join(@"\s+", columns.Select(System.Text.RegularExpressions.Regex.Escape)), text);

    private string Run(string script)
    {
        var result = _session.Run(script, Sample);
        Assert.Empty(result.Errors);
        return result.HostText;
    }
}
