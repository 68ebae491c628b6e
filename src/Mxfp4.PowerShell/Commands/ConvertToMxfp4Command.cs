using System.Management.Automation;
using Mxfp4.Core;
using Mxfp4.Core.Conversion;
using Mxfp4.Core.Decoding;
using Mxfp4.Core.FileSystem;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Quantization;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;
using Mxfp4.PowerShell.Infrastructure;

namespace Mxfp4.PowerShell.Commands;

/// <summary>
/// Encodes F32, BF16 or F16 tensors to MXFP4: tensors from the pipeline into blocks and scales in memory (or one
/// safetensors -OutFile), or — with -Destination — a whole checkpoint into a new MXFP4 checkpoint.
/// </summary>
[Cmdlet(VerbsData.ConvertTo, "Mxfp4", DefaultParameterSetName = ObjectSet, SupportsShouldProcess = true,
    HelpUri = "https://github.com/mxfp4/Mxfp4/blob/main/docs/en-US/ConvertTo-Mxfp4.md")]
[OutputType(typeof(EncodedTensor), ParameterSetName = [ObjectSet])]
[OutputType(typeof(FileInfo), ParameterSetName = [OutFileSet, PathSet, LiteralPathSet])]
public sealed class ConvertToMxfp4Command : Mxfp4Cmdlet
{
    private const string ObjectSet = "Object";
    private const string OutFileSet = "OutFile";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string HuggingFace = "HuggingFace";
    private const string Original = "Original";

    private readonly List<EncodedTensor> _forOutFile = [];
    private OutFileWriter? _outFile;
    private bool _outFileFailed;

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ObjectSet)]
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = OutFileSet)]
    public PSObject? InputObject { get; set; }

    // Strings bind by value only: the records piped to this cmdlet carry a Path (their shard), which must not bind here.
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    [Parameter(Mandatory = true, Position = 1, ParameterSetName = PathSet)]
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = LiteralPathSet)]
    [ValidateNotNullOrEmpty]
    [ValidatePathCharacters]
    public string Destination { get; set; } = string.Empty;

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public ConversionLayout Layout { get; set; } = ConversionLayout.Natural;

    /// <summary>Tensors to quantize; the gpt-oss expert weights when not given.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter SafetensorsOnly { get; set; }

    [Parameter]
    public ScaleRule ScaleRule { get; set; } = ScaleRule.Up;

    [Parameter]
    [ValidateSet(HuggingFace, Original)]
    public string NamingStyle { get; set; } = HuggingFace;

    [Parameter(Mandatory = true, ParameterSetName = OutFileSet)]
    [ValidateNotNullOrEmpty]
    [ValidatePathCharacters]
    public string OutFile { get; set; } = string.Empty;

    [Parameter(ParameterSetName = OutFileSet)]
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter Force { get; set; }

    [Parameter(ParameterSetName = OutFileSet)]
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter PassThru { get; set; }

    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = ParallelDecoder.MaxThreads;

    private Mxfp4NamingStyle Style => NamingStyle == Original ? Mxfp4NamingStyle.GptOss : Mxfp4NamingStyle.HuggingFace;

    protected override void BeginProcessing()
    {
        if (ParameterSetName != OutFileSet)
        {
            return;
        }

        string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutFile);
        if (!ShouldProcess(path, "Write MXFP4 blocks and scales"))
        {
            return;
        }

        try
        {
            _outFile = OutFileWriter.Create(path, Force);
        }
        catch (Mxfp4Exception ex)
        {
            ThrowTerminatingError(ErrorRecordOf(ex, path));
        }
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName is PathSet or LiteralPathSet)
        {
            ForEachCheckpoint(Path, LiteralPath, EncodeCheckpoint);
            return;
        }

        if (ParameterSetName == OutFileSet && _outFile is null)
        {
            return;
        }

        var input = InputObject?.BaseObject;
        ProcessInput(
            (input as TensorInfo)?.Name ?? input,
            () => EncodeInput(input),
            ex =>
            {
                _outFileFailed = true;
                WriteInputFailure(ex, (input as TensorInfo)?.Name ?? input);
            });
    }

    protected override void EndProcessing()
    {
        if (_outFile is null)
        {
            return;
        }

        if (_outFileFailed)
        {
            WriteError(new ErrorRecord(
                new InvalidOperationException($"'{_outFile.Path}' was not written because an input failed; nothing was changed."),
                ErrorIds.OutFileNotWritten,
                ErrorCategory.WriteError,
                _outFile.Path));
            return;
        }

        if (_forOutFile.Count == 0)
        {
            // Most often the command before this one failed (a mistyped path): an empty file must not replace a good one.
            WriteError(new ErrorRecord(
                new InvalidOperationException(
                    $"'{_outFile.Path}' was not written because no tensor reached ConvertTo-Mxfp4; nothing was changed. "
                        + "Check the errors of the commands before it in the pipeline."),
                ErrorIds.OutFileNotWritten,
                ErrorCategory.WriteError,
                _outFile.Path));
            return;
        }

        try
        {
            var specs = _forOutFile.SelectMany(t => new[]
            {
                new TensorSpec(t.BlocksName, SafetensorsDType.U8, t.BlocksShape),
                new TensorSpec(t.ScalesName, SafetensorsDType.U8, t.ScalesShape),
            }).ToList();
            var data = _forOutFile.SelectMany(t => new[] { t.Blocks, t.Scales }).ToList();
            SafetensorsWriter.Write(_outFile.Stream, SafetensorsLayout.Create(specs), (i, stream) => stream.Write(data[i]));
            _outFile.Commit();
        }
        catch (Exception ex) when (IsInputFailure(ex))
        {
            WriteInputFailure(
                ex is IOException io ? new OutputWriteException(_outFile.Path, $"Writing '{_outFile.Path}' failed: {io.Message}", io) : ex,
                _outFile.Path);
            return;
        }

        if (PassThru)
        {
            WriteItems([_outFile.Path]);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // An uncommitted file (error, Ctrl+C) deletes its temporary here.
            _outFile?.Dispose();
        }

        base.Dispose(disposing);
    }

    private void EncodeInput(object? input)
    {
        RefuseOutFileAsInput(input as TensorInfo);
        var tensor = Encode(input);
        if (tensor.NonFiniteBlocks > 0)
        {
            WriteWarning(
                $"'{tensor.Name}' holds NaN or infinite values in {tensor.NonFiniteBlocks} blocks of 32; "
                    + "they were written as NaN blocks (scale 255).");
        }

        if (_outFile is not null)
        {
            _forOutFile.Add(tensor);
        }
        else
        {
            WriteObject(tensor);
        }
    }

    private EncodedTensor Encode(object? input)
    {
        if (input is not TensorInfo tensor)
        {
            throw new Mxfp4Exception(
                ErrorIds.UnsupportedInput,
                Mxfp4ErrorCategory.InvalidArgument,
                "ConvertTo-Mxfp4 takes TensorInfo records of F32, BF16 or F16 tensors (from Get-SafetensorsHeader), "
                    + $"not {input?.GetType().Name ?? "null"}.",
                input);
        }

        // Refuses what cannot be encoded (dtype, last axis) with the checkpoint path's error ids.
        _ = QuantizationPlan.PairShapes(tensor, transpose: false);
        long blockCount = tensor.ElementCount / Mxfp4Format.BlockElements;
        if (blockCount * Mxfp4Format.BlockBytes > Array.MaxLength)
        {
            throw new Mxfp4Exception(
                ErrorIds.TensorTooLarge,
                Mxfp4ErrorCategory.LimitsExceeded,
                $"'{tensor.Name}' would need {blockCount * Mxfp4Format.BlockBytes} bytes of blocks, more than one array holds.",
                tensor.Name);
        }

        using var reader = TensorReader.Open(tensor);
        var blocks = GC.AllocateUninitializedArray<byte>(checked((int)(blockCount * Mxfp4Format.BlockBytes)));
        var scales = GC.AllocateUninitializedArray<byte>(checked((int)blockCount));
        var error = new QuantizationError();
        var progress = new ProgressReporter(this, 1, $"Encoding {tensor.Name} to MXFP4");
        const long step = 1 << 20;
        for (long first = 0; first < blockCount; first += step)
        {
            PipelineStopToken.ThrowIfCancellationRequested();
            int count = (int)Math.Min(step, blockCount - first);
            ParallelEncoder.Encode(
                reader.Source,
                first,
                count,
                blocks.AsSpan((int)first * Mxfp4Format.BlockBytes, count * Mxfp4Format.BlockBytes),
                scales.AsSpan((int)first, count),
                ScaleRule,
                ThrottleLimit,
                error,
                PipelineStopToken);
            progress.Report(first + count, blockCount, $"{first + count:N0} of {blockCount:N0} blocks");
        }

        progress.Complete();
        var (blocksName, scalesName) = QuantizationPlan.PairNames(tensor.Name, Style);
        return new EncodedTensor(tensor.Name, blocksName, scalesName, tensor.Shape, ScaleRule, blocks, scales, error);
    }

    /// <summary>With -Force, an -OutFile naming the input's shard would replace it while it is read.</summary>
    private void RefuseOutFileAsInput(TensorInfo? input)
    {
        if (input is null || _outFile is null)
        {
            return;
        }

        // Compared as files (device and inode), so no spelling of the path and no link on the way can hide a source.
        if (FileIdentity.SameFile(input.Path, _outFile.Path))
        {
            _outFileFailed = true;
            ThrowTerminatingError(ErrorRecordOf(
                new Mxfp4Exception(
                    ErrorIds.OutputIsInput,
                    Mxfp4ErrorCategory.InvalidArgument,
                    $"-OutFile '{_outFile.Path}' is the file that holds the input tensor '{input.Name}'; "
                        + "writing it would destroy the checkpoint. Choose another -OutFile.",
                    _outFile.Path),
                _outFile.Path));
        }
    }

    private void EncodeCheckpoint(string path, Checkpoint checkpoint)
    {
        var options = new ConversionOptions { Layout = Layout, SafetensorsOnly = SafetensorsOnly, Force = Force, Threads = ThrottleLimit };
        var filter = Name is null ? null : new NameFilter(Name);
        var quantization = new QuantizationOptions
        {
            Rule = ScaleRule,
            NamingStyle = Style,
            Selects = filter is null ? null : filter.Matches,
        };
        string destination = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination);
        var plan = QuantizationPlan.Create(checkpoint, destination, options, quantization);
        if (plan.Shards.Sum(s => s.ConvertedCount) == 0)
        {
            WriteWarning(
                $"No tensor of '{path}' is selected for quantization "
                    + $"({(Name is null ? "it has no gpt-oss expert weights" : "-Name matches none")}); its tensors are copied unchanged.");
        }

        var confirmed = plan.Shards
            .Where(s => ShouldProcess(
                s.TargetPath,
                $"Encode '{s.SourcePath}' ({s.ConvertedCount} tensors to MXFP4 by rule {ScaleRule}, "
                    + $"{s.CopiedCount} copied, {Display.Size(s.FileLength)})"))
            .ToList();
        if (confirmed.Count == 0)
        {
            return;
        }

        var overall = new ProgressReporter(this, 2, $"Encoding {path} to MXFP4");
        var shardProgress = new ProgressReporter(this, 3, "Shard", parentActivityId: 2);
        var result = CheckpointConverter.Execute(checkpoint, plan, confirmed, p =>
        {
            overall.Report(p.BytesDone, p.TotalBytes, $"{Display.Size(p.BytesDone)} of {Display.Size(p.TotalBytes)}");
            shardProgress.Report(p.ShardBytesDone, p.ShardBytes, $"{System.IO.Path.GetFileName(p.Shard)}: {p.Tensor}");
        }, PipelineStopToken);
        shardProgress.Complete();
        overall.Complete();
        foreach (var (tensor, blocks) in result.NonFiniteBlocks)
        {
            WriteWarning($"'{tensor}' holds NaN or infinite values in {blocks} blocks of 32; they were written as NaN blocks (scale 255).");
        }

        WriteVerbose(
            $"Encoded {result.TensorsConverted} tensors to MXFP4 (rule {ScaleRule}) and copied {result.TensorsCopied} tensors: "
                + $"{Display.Size(result.BytesWritten)} in {result.Elapsed.TotalSeconds:F1} s into '{plan.Destination}'.");
        if (PassThru)
        {
            WriteItems(result.WrittenFiles);
        }
    }
}
