using System.Globalization;
using System.Management.Automation;
using System.Runtime.InteropServices;
using Mxfp4.Core;
using Mxfp4.Core.Conversion;
using Mxfp4.Core.FileSystem;
using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Safetensors;
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
public sealed class ConvertFromMxfp4Command : Mxfp4Cmdlet
{
    private const string ObjectSet = "Object";
    private const string StreamSet = "AsStream";
    private const string ByteStreamSet = "AsByteStream";
    private const string OutFileSet = "OutFile";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const int ByteChunk = 4 << 20;

    private OutFileTarget? _outFile;

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ObjectSet)]
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = StreamSet)]
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ByteStreamSet)]
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = OutFileSet)]
    public PSObject? InputObject { get; set; }

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
        if (ParameterSetName != OutFileSet)
        {
            return;
        }

        string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutFile);
        if (!ShouldProcess(path, $"Write dequantized {ChosenFormat} tensors"))
        {
            return;
        }

        try
        {
            _outFile = new OutFileTarget(OutFileWriter.Create(path, Force));
        }
        catch (Mxfp4Exception ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex, path));
        }
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName is PathSet or LiteralPathSet)
        {
            bool literal = ParameterSetName == LiteralPathSet;
            foreach (var path in ResolvePaths(literal ? LiteralPath : Path, literal))
            {
                ConvertCheckpoint(path);
            }

            return;
        }

        if (ParameterSetName == OutFileSet && _outFile is null)
        {
            return;
        }

        if (_outFile is not null)
        {
            _outFile.MarkReceived();
            RefuseOutFileAsInput(_outFile.File.Path, InputObject?.BaseObject);
        }

        try
        {
            using var reader = OpenInput(InputObject?.BaseObject);
            foreach (var slice in TensorSlice.Select(reader.Name, reader.Shape, Expert, Row))
            {
                WriteSlice(reader, slice);
            }
        }
        catch (Exception ex) when (IsInputFailure(ex))
        {
            _outFile?.MarkFailed();
            WriteInputFailure(ex, InputObject?.BaseObject);
        }
        catch (OperationCanceledException) when (PipelineStopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    protected override void EndProcessing()
    {
        if (_outFile is null)
        {
            return;
        }

        if (_outFile.Failed)
        {
            WriteError(new ErrorRecord(
                new InvalidOperationException($"'{_outFile.File.Path}' was not written because an input failed; nothing was changed."),
                ErrorIds.OutFileNotWritten,
                ErrorCategory.WriteError,
                _outFile.File.Path));
            return;
        }

        if (!_outFile.Received)
        {
            // Most often the command before this one failed (a mistyped path): an empty file must not replace a good one.
            WriteError(new ErrorRecord(
                new InvalidOperationException(
                    $"'{_outFile.File.Path}' was not written because no tensor reached ConvertFrom-Mxfp4; nothing was changed. Check the "
                        + "errors of the commands before it in the pipeline."),
                ErrorIds.OutFileNotWritten,
                ErrorCategory.WriteError,
                _outFile.File.Path));
            return;
        }

        try
        {
            _outFile.File.Commit();
        }
        catch (Mxfp4Exception ex)
        {
            WriteInputFailure(ex);
            return;
        }

        if (PassThru)
        {
            WriteItems([_outFile.File.Path]);
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

    /// <summary>The written files as the FileSystem provider gives them (what Get-Item writes), so they show Mode and Length and carry
    /// PSPath.</summary>
    private void WriteItems(IEnumerable<string> files)
        => WriteObject(InvokeProvider.Item.Get([.. files], force: true, literalPath: true), enumerateCollection: true);

    /// <summary>
    /// -OutFile naming a shard the input lives in would, with -Force, replace that shard while it is being read (and
    /// destroy the checkpoint), so it stops the pipeline before anything is committed.
    /// </summary>
    private void RefuseOutFileAsInput(string outFile, object? input)
    {
        string[] sources = input switch
        {
            Mxfp4TensorInfo mxfp4 => [mxfp4.Blocks.Path, mxfp4.Scales.Path],
            TensorInfo plain => [plain.Path],
            _ => [],
        };
        // Compared as files (device and inode), so no spelling of the path and no link on the way can hide a source.
        if (sources.Any(source => FileIdentity.SameFile(source, outFile)))
        {
            _outFile!.MarkFailed();
            ThrowTerminatingError(ErrorRecords.From(
                new Mxfp4Exception(
                    ErrorIds.OutputIsInput,
                    Mxfp4ErrorCategory.InvalidArgument,
                    $"-OutFile '{outFile}' is the file that holds the input tensor; writing it would destroy the checkpoint. Choose "
                        + "another -OutFile.",
                    outFile),
                outFile));
        }
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
            "ConvertFrom-Mxfp4 takes Mxfp4TensorInfo or TensorInfo records (from Get-Mxfp4Tensor or Get-SafetensorsHeader), not "
                + $"{input?.GetType().Name ?? "null"}.",
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
                foreach (var (first, count, _) in Chunks(reader.Name, slice, ChunkElements(ByteChunk)))
                {
                    // Each chunk is a new array: the pipeline may still hold the previous one.
                    var chunk = new byte[count * ChosenFormat.BytesPerElement()];
                    ParallelDecoder.Decode(reader.Source, first, count, chunk, ChosenFormat, ThrottleLimit, PipelineStopToken);
                    WriteObject(chunk, enumerateCollection: false);
                }

                break;
            case OutFileSet:
                var buffer = new byte[ChunkElements(ByteChunk * 4) * ChosenFormat.BytesPerElement()];
                foreach (var (first, count, _) in Chunks(reader.Name, slice, ChunkElements(ByteChunk * 4)))
                {
                    var chunk = buffer.AsSpan(0, (int)(count * ChosenFormat.BytesPerElement()));
                    ParallelDecoder.Decode(reader.Source, first, count, chunk, ChosenFormat, ThrottleLimit, PipelineStopToken);
                    _outFile!.Write(chunk);
                }

                break;
            default:
                WriteObject(Materialize(reader, slice));
                break;
        }
    }

    /// <summary>A stream owns its own reader, so it stays usable after this pipeline ends; the caller disposes it.</summary>
    private DequantizingStream OpenStream(TensorReader reader, TensorSlice slice)
    {
        if (!slice.IsContiguous)
        {
            throw new Mxfp4Exception(ErrorIds.InvalidSlice, Mxfp4ErrorCategory.InvalidArgument,
                $"-AsStream serves one contiguous range; select consecutive rows of '{reader.Name}'.", reader.Name);
        }

        var own = OpenInput(InputObject?.BaseObject);
        var (first, count) = slice.Ranges.Count == 0 ? (0L, 0L) : slice.Ranges[0];
        return new DequantizingStream(own.Source, ChosenFormat, first, count, ThrottleLimit, own);
    }

    private TensorData Materialize(TensorReader reader, TensorSlice slice)
    {
        int elementBytes = ChosenFormat.BytesPerElement();
        if (slice.ElementCount > Array.MaxLength || slice.ElementCount * elementBytes > MemoryLimit)
        {
            throw new Mxfp4Exception(
                ErrorIds.TensorTooLarge,
                Mxfp4ErrorCategory.LimitsExceeded,
                $"'{reader.Name}' has {Plural.Of(slice.ElementCount, "element", "elements")} ({slice.ElementCount * elementBytes} bytes as "
                    + $"{ChosenFormat}), more than an in-memory result may hold (-MemoryLimit {MemoryLimit}). Use -OutFile or -AsStream, "
                        + "or select a part with -Expert or -Row.",
                reader.Name);
        }

        int count = (int)slice.ElementCount;
        Array data = ChosenFormat switch
        {
            OutputFormat.F32 => new float[count],
            OutputFormat.F16 => new Half[count],
            _ => new ushort[count],
        };
        foreach (var (first, n, at) in Chunks(reader.Name, slice, ChunkElements(ByteChunk * 4)))
        {
            var bytes = MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(data), count * elementBytes);
            ParallelDecoder.Decode(reader.Source, first, n, bytes.Slice((int)(at * elementBytes), (int)(n * elementBytes)), ChosenFormat,
                ThrottleLimit, PipelineStopToken);
        }

        return new TensorData(reader.Name, ChosenFormat, slice.Shape, data, slice.Expert);
    }

    private long ChunkElements(int chunkBytes)
        => chunkBytes / ChosenFormat.BytesPerElement() / Mxfp4Format.BlockElements * Mxfp4Format.BlockElements;

    /// <summary>
    /// The slice's ranges cut into chunks (source element, count, elements before it in the slice). Between chunks
    /// progress is reported and Ctrl+C honoured (the decoder also checks it inside a chunk).
    /// </summary>
    private IEnumerable<(long First, long Count, long Done)> Chunks(string name, TensorSlice slice, long chunkElements)
    {
        var progress = new ProgressReporter(this, 1, $"Dequantizing {name} to {ChosenFormat}");
        long done = 0;
        progress.Report(done, slice.ElementCount, $"0 of {Plural.Grouped(slice.ElementCount, "element", "elements")}");
        try
        {
            foreach (var (first, count) in slice.Ranges)
            {
                for (long at = 0; at < count; at += chunkElements)
                {
                    PipelineStopToken.ThrowIfCancellationRequested();
                    long n = Math.Min(chunkElements, count - at);
                    yield return (first + at, n, done);
                    done += n;
                    progress.Report(done, slice.ElementCount, string.Create(CultureInfo.InvariantCulture, $"{done:N0} of ")
                        + Plural.Grouped(slice.ElementCount, "element", "elements"));
                }
            }
        }
        finally
        {
            // A failed input still clears its bar; a stopped pipeline may no longer write.
            if (!PipelineStopToken.IsCancellationRequested)
            {
                progress.Complete();
            }
        }
    }

    private void ConvertCheckpoint(string path)
    {
        try
        {
            using var checkpoint = OpenCheckpoint(path);
            var options = new ConversionOptions
            {
                Format = ChosenFormat,
                Layout = Layout,
                SafetensorsOnly = SafetensorsOnly,
                Force = Force,
                Threads = ThrottleLimit
            };
            string destination = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination);
            var plan = ConversionPlan.Create(checkpoint, destination, options);
            var confirmed = plan.Shards
                .Where(s
                    => ShouldProcess(s.TargetPath,
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
                $"Converted {Plural.Of(result.TensorsConverted, "MXFP4 tensor", "MXFP4 tensors")} to {ChosenFormat} and copied "
                    + $"{Plural.Of(result.TensorsCopied, "tensor", "tensors")}: {Display.Size(result.BytesWritten)} in "
                        + $"{result.Elapsed.TotalSeconds:F1} s into '{plan.Destination}'.");
            if (PassThru)
            {
                WriteItems(result.WrittenFiles);
            }
        }
        catch (Exception ex) when (IsInputFailure(ex))
        {
            WriteInputFailure(ex, path);
        }
        catch (OperationCanceledException) when (PipelineStopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>The one -OutFile of an invocation: every piped tensor is appended, and it is committed only if all succeeded.</summary>
    private sealed class OutFileTarget(OutFileWriter file)
    {
        internal OutFileWriter File { get; } = file;

        internal bool Failed { get; private set; }

        /// <summary>Whether any input reached the cmdlet; without one there is nothing to write.</summary>
        internal bool Received { get; private set; }

        internal void MarkFailed() => Failed = true;

        internal void MarkReceived() => Received = true;

        internal void Write(ReadOnlySpan<byte> chunk)
        {
            try
            {
                File.Stream.Write(chunk);
            }
            catch (IOException ex)
            {
                throw new OutputWriteException(File.Path, $"Writing '{File.Path}' failed: {ex.Message}", ex);
            }
        }
    }
}
