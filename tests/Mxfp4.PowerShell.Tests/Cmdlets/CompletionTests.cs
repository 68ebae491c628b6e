using System.Management.Automation;
using Xunit;

namespace Mxfp4.PowerShell.Tests.Cmdlets;

/// <summary>Tab completion of -Name, driven the way pwsh drives it: CommandCompletion.CompleteInput on typed text.</summary>
public sealed class CompletionTests : IDisposable
{
    private readonly ModuleSession _session = new();

    public void Dispose() => _session.Dispose();

    [Theory]
    [InlineData("Get-SafetensorsHeader {0} -Name model.layers.0.mlp.experts.down", "model.layers.0.mlp.experts.down_proj_blocks")]
    [InlineData("Get-Mxfp4Tensor -Path {0} -Name model.layers.1.mlp.experts.g", "model.layers.1.mlp.experts.gate_up_proj")]
    [InlineData("Invoke-Mxfp4MatVec -LiteralPath {0} -Name lm_", "lm_head.weight")]
    public void Name_completes_tensor_names_of_the_bound_checkpoint(string template, string expected)
    {
        var completions = Complete(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, SamplePath()));
        Assert.Contains(expected, completions);
        Assert.All(completions, c => Assert.StartsWith(template.Split(' ')[^1], c, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Name_offers_nothing_before_a_path_is_bound()
        => Assert.Empty(Complete("Get-SafetensorsHeader -Name model.lay"));

    [Fact]
    public void A_rewritten_checkpoint_is_read_again()
    {
        string directory = Path.Combine(Path.GetTempPath(), "mxfp4-complete-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            string file = Path.Combine(directory, "m.safetensors");
            Mxfp4.Core.Safetensors.SafetensorsWriter.WriteFile(file,
                [(new Mxfp4.Core.Safetensors.TensorSpec("alpha", Mxfp4.Core.Safetensors.SafetensorsDType.U8, [1]), new byte[1])]);
            Assert.Contains("alpha", Complete($"Get-SafetensorsHeader '{file}' -Name a"));

            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(-5));
            Mxfp4.Core.Safetensors.SafetensorsWriter.WriteFile(file,
                [(new Mxfp4.Core.Safetensors.TensorSpec("another", Mxfp4.Core.Safetensors.SafetensorsDType.U8, [1]), new byte[1])]);
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(5));
            var again = Complete($"Get-SafetensorsHeader '{file}' -Name a");
            Assert.Contains("another", again);
            Assert.DoesNotContain("alpha", again);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string SamplePath() => Path.Combine(RepositoryLayout.RepositoryRoot, "samples", "gpt-oss-tiny");

    private string[] Complete(string input)
    {
        using var shell = System.Management.Automation.PowerShell.Create(_session.Runspace);
        var result = CommandCompletion.CompleteInput(input, input.Length, null, shell);
        return result.CompletionMatches.Select(m => m.CompletionText.Trim('\'')).ToArray();
    }
}
