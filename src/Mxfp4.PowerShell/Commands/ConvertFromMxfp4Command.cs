using System.Globalization;
using System.Management.Automation;
using Mxfp4.Core;
using Mxfp4.Core.Conversion;
using Mxfp4.Core.Decoding;
using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;
using Mxfp4.PowerShell.Infrastructure;

namespace Mxfp4.PowerShell.Commands;

/// <summary>
/// Dequantizes MXFP4 tensors (and upcasts plain floating tensors) to F32, BF16 or F16: into memory, as a stream, as
/// raw byte chunks, into a raw file, or — with -Destination — a whole checkpoint into a new dense checkpoint.
/// </summary>
[Cmdlet(VerbsData.ConvertFrom, "Mxfp4", DefaultParameterSetName = ObjectSet, SupportsShouldProcess = true,
    HelpUri = "https://github.com/mxfp4/Mxfp4/blob/main/docs/en-US/ConvertFrom-Mxfp4.md")]
[OutputType(typeof(TensorData), ParameterSetName = [ObjectSet])]
[OutputType(typeof(DequantizingStream), ParameterSetName = [StreamSet])]
[OutputType(typeof(byte[]), ParameterSetName = [ByteStreamSet])]
[OutputType(typeof(FileInfo), ParameterSetName = [OutFileSet, PathSet, LiteralPathSet])]
public sealed partial class ConvertFromMxfp4Command : Mxfp4Cmdlet
{
    private const string ObjectSet = "Object";
    private const string StreamSet = "AsStream";
    private const string ByteStreamSet = "AsByteStream";
    private const string OutFileSet = "OutFile";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    private OutFileTarget? _outFile;

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ObjectSet)]
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = StreamSet)]
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ByteStreamSet)]
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

    /// <summary>F32 for tensors, BF16 for whole checkpoints, when not given.</summary>
    [Parameter]
    public OutputFormat? Format { get; set; }

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public ConversionLayout Layout { get; set; } = ConversionLayout.Natural;

    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter SafetensorsOnly { get; set; }

    [Parameter(ParameterSetName = ObjectSet)]
    [Parameter(ParameterSetName = StreamSet)]
    [Parameter(ParameterSetName = ByteStreamSet)]
    [Parameter(ParameterSetName = OutFileSet)]
    [IndexRangeTransformation]
    [ValidateRange(0, int.MaxValue)]
    public int[]? Expert { get; set; }

    [Parameter(ParameterSetName = ObjectSet)]
    [Parameter(ParameterSetName = StreamSet)]
    [Parameter(ParameterSetName = ByteStreamSet)]
    [Parameter(ParameterSetName = OutFileSet)]
    [IndexRangeTransformation]
    [ValidateRange(0, long.MaxValue)]
    public long[]? Row { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = StreamSet)]
    public SwitchParameter AsStream { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ByteStreamSet)]
    public SwitchParameter AsByteStream { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = OutFileSet)]
    [ValidateNotNullOrEmpty]
    [ValidatePathCharacters]
    public string OutFile { get; set; } = string.Empty;

    /// <summary>The most bytes an in-memory result may take; larger tensors must use -OutFile, -AsStream or a slice.</summary>
    [Parameter(ParameterSetName = ObjectSet)]
    [ValidateRange(1, long.MaxValue)]
    public long MemoryLimit { get; set; } = 2L << 30;

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

    private OutputFormat ChosenFormat => Format ?? (ParameterSetName is PathSet or LiteralPathSet ? OutputFormat.BF16 : OutputFormat.F32);

    protected override void BeginProcessing()
    {
        if (ParameterSetName == OutFileSet)
        {
            OpenOutFile();
        }
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName is PathSet or LiteralPathSet)
        {
            ForEachCheckpoint(Path, LiteralPath, ConvertCheckpoint);
            return;
        }

        if (ParameterSetName == OutFileSet && _outFile is null)
        {
            return;
        }

        var input = InputObject?.BaseObject;
        if (_outFile is not null)
        {
            _outFile.MarkReceived();
            RefuseOutFileAsInput(_outFile.File.Path, input);
        }

        ProcessInput(
            input,
            () =>
            {
                using var reader = OpenInput(input);
                foreach (var slice in TensorSlice.Select(reader.Name, reader.Shape, Expert, Row))
                {
                    WriteSlice(reader, slice);
                }
            },
            ex =>
            {
                _outFile?.MarkFailed();
                WriteInputFailure(ex, input);
            });
    }

    protected override void EndProcessing()
    {
        if (_outFile is not null)
        {
            CommitOutFile(_outFile);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // An uncommitted file (error, Ctrl+C) deletes its temporary here.
            _outFile?.File.Dispose();
        }

        base.Dispose(disposing);
    }

    private static TensorReader OpenInput(object? input) => input switch
    {
        Mxfp4TensorInfo mxfp4 => TensorReader.Open(mxfp4),
        TensorInfo plain when Mxfp4Pairing.IsMxfp4Part(plain.Name) => throw new Mxfp4Exception(
            ErrorIds.UnpairedMxfp4Tensor,
            Mxfp4ErrorCategory.InvalidArgument,
            $"'{plain.Name}' is one half of an MXFP4 pair; pipe it through Get-Mxfp4Tensor first.",
            plain.Name),
        TensorInfo plain => TensorReader.Open(plain),
        string or FileSystemInfo => throw new Mxfp4Exception(
            ErrorIds.DestinationRequired,
            Mxfp4ErrorCategory.InvalidArgument,
            $"'{input}' is a path: to convert a whole checkpoint give -Destination; to convert tensors pipe Get-Mxfp4Tensor records.",
            input),
        _ => throw new Mxfp4Exception(
            ErrorIds.UnsupportedInput,
            Mxfp4ErrorCategory.InvalidArgument,
            "ConvertFrom-Mxfp4 takes Mxfp4TensorInfo or TensorInfo records (from Get-Mxfp4Tensor or Get-SafetensorsHeader), "
                + $"not {input?.GetType().Name ?? "null"}.",
            input),
    };

    private void WriteSlice(TensorReader reader, TensorSlice slice)
    {
        switch (ParameterSetName)
        {
            case StreamSet:
                WriteObject(OpenStream(reader, slice));
                break;
            case ByteStreamSet:
                WriteByteChunks(reader, slice);
                break;
            case OutFileSet:
                AppendToOutFile(reader, slice);
                break;
            default:
                WriteObject(Materialize(reader, slice));
                break;
        }
    }

    /// <summary>
    /// Reports the progress of decoding one slice to <paramref name="decode"/>, from 0; the bar is cleared when it
    /// ends, also when the input failed, but not when the pipeline is stopped (it may no longer write).
    /// </summary>
    private void WithProgress(string name, TensorSlice slice, Action<Action<long>> decode)
    {
        var progress = new ProgressReporter(this, 1, $"Dequantizing {name} to {ChosenFormat}");
        string total = Plural.Grouped(slice.ElementCount, "element", "elements");
        progress.Report(0, slice.ElementCount, $"0 of {total}");
        try
        {
            decode(done => progress.Report(
                done,
                slice.ElementCount,
                string.Create(CultureInfo.InvariantCulture, $"{done:N0} of ") + total));
        }
        finally
        {
            if (!PipelineStopToken.IsCancellationRequested)
            {
                progress.Complete();
            }
        }
    }
}
