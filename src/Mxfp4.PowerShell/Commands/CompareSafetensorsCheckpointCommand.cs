using System.Management.Automation;
using Mxfp4.Core.Conversion;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Verification;
using Mxfp4.PowerShell.Completion;
using Mxfp4.PowerShell.Infrastructure;

namespace Mxfp4.PowerShell.Commands;

/// <summary>Compares two checkpoints tensor by tensor on their decoded float32 values.</summary>
[Cmdlet(VerbsData.Compare, "SafetensorsCheckpoint",
    HelpUri = "https://github.com/mxfp4/Mxfp4/blob/main/docs/en-US/Compare-SafetensorsCheckpoint.md")]
[OutputType(typeof(TensorComparison))]
public sealed class CompareSafetensorsCheckpointCommand : Mxfp4Cmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string ReferencePath { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string DifferencePath { get; set; } = string.Empty;

    [Parameter]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(TensorNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter]
    public ConversionLayout DifferenceLayout { get; set; } = ConversionLayout.Natural;

    [Parameter]
    [ValidateRange(0.0, double.MaxValue)]
    public double Tolerance { get; set; }

    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

    protected override void EndProcessing()
    {
        string? referencePath = ResolvePaths([ReferencePath], literal: true).FirstOrDefault();
        string? differencePath = ResolvePaths([DifferencePath], literal: true).FirstOrDefault();
        if (referencePath is null || differencePath is null)
        {
            return;
        }

        var filter = new NameFilter(Name);
        var options = new ComparisonOptions
        {
            DifferenceLayout = DifferenceLayout,
            Tolerance = Tolerance,
            Filter = filter.Matches,
            Threads = ThrottleLimit
        };
        var progress = new ProgressReporter(this, 5, $"Comparing {referencePath} with {differencePath}");
        ProcessInput(null, () =>
        {
            using var reference = Checkpoint.Open(referencePath);
            using var difference = Checkpoint.Open(differencePath);
            foreach (var comparison in CheckpointComparer.Compare(
                reference,
                difference,
                options,
                p => progress.Report(p.DoneElements, p.TotalElements, $"{p.Tensor}: {p.DoneElements:N0} of {p.TotalElements:N0} elements"),
                PipelineStopToken))
            {
                WriteObject(comparison);
            }

            progress.Complete();
        });
    }
}
