using Mxfp4.Core;
using Mxfp4.Core.Conversion;
using Mxfp4.Core.Safetensors;
using Mxfp4.PowerShell.Infrastructure;

namespace Mxfp4.PowerShell.Commands;

/// <summary>-Path/-LiteralPath with -Destination: a whole checkpoint into a new dense checkpoint.</summary>
public sealed partial class ConvertFromMxfp4Command
{
    private void ConvertCheckpoint(string path, Checkpoint checkpoint)
    {
        var options = new ConversionOptions
        {
            Format = ChosenFormat,
            Layout = Layout,
            SafetensorsOnly = SafetensorsOnly,
            Force = Force,
            Threads = ThrottleLimit,
        };
        string destination = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination);
        var plan = ConversionPlan.Create(checkpoint, destination, options);
        var confirmed = plan.Shards
            .Where(s => ShouldProcess(
                s.TargetPath,
                $"Convert '{s.SourcePath}' ({Plural.Of(s.ConvertedCount, "MXFP4 tensor", "MXFP4 tensors")} to {ChosenFormat}, "
                    + $"{s.CopiedCount} copied, {Display.Size(s.FileLength)})"))
            .ToList();
        if (confirmed.Count == 0)
        {
            return;
        }

        var overall = new ProgressReporter(this, 2, $"Converting {path} to {ChosenFormat}");
        var shardProgress = new ProgressReporter(this, 3, "Shard", parentActivityId: 2);
        long totalBytes = confirmed.Sum(s => s.FileLength);
        overall.Report(0, totalBytes, $"0 B of {Display.Size(totalBytes)}");
        ConversionResult result;
        try
        {
            result = CheckpointConverter.Execute(checkpoint, plan, confirmed, p =>
            {
                overall.Report(p.BytesDone, p.TotalBytes, $"{Display.Size(p.BytesDone)} of {Display.Size(p.TotalBytes)}");
                shardProgress.Report(p.ShardBytesDone, p.ShardBytes, $"{System.IO.Path.GetFileName(p.Shard)}: {p.Tensor}");
            }, PipelineStopToken);
        }
        finally
        {
            if (!PipelineStopToken.IsCancellationRequested)
            {
                shardProgress.Complete();
                overall.Complete();
            }
        }

        WriteVerbose(
            $"Converted {Plural.Of(result.TensorsConverted, "MXFP4 tensor", "MXFP4 tensors")} to {ChosenFormat} "
                + $"and copied {Plural.Of(result.TensorsCopied, "tensor", "tensors")}: {Display.Size(result.BytesWritten)} "
                + $"in {result.Elapsed.TotalSeconds:F1} s into '{plan.Destination}'.");
        if (PassThru)
        {
            WriteItems(result.WrittenFiles);
        }
    }
}
