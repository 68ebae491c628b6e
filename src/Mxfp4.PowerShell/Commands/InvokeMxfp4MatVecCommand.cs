using System.Management.Automation;
using Mxfp4.Core;
using Mxfp4.Core.Decoding;
using Mxfp4.Core.Formats;
using Mxfp4.Core.MatVec;
using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;
using Mxfp4.PowerShell.Completion;
using Mxfp4.PowerShell.Infrastructure;

namespace Mxfp4.PowerShell.Commands;

/// <summary>Multiplies MXFP4 weights by vectors without materialising the matrix: y = act(W·x + b), per expert and vector.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "Mxfp4MatVec", DefaultParameterSetName = InputObjectSet,
    HelpUri = "https://github.com/mxfp4/Mxfp4/blob/main/docs/en-US/Invoke-Mxfp4MatVec.md")]
[OutputType(typeof(MatVecResult))]
public sealed class InvokeMxfp4MatVecCommand : Mxfp4Cmdlet
{
    private const string InputObjectSet = "InputObject";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>Every shard this command reads, opened and validated once for all its tensors and their biases.</summary>
    private readonly ShardSession _shards = new();

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    public Mxfp4TensorInfo[] InputObject { get; set; } = [];

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
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(TensorNameCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary>One vector of length K, or several (a small batch that reads the weights once).</summary>
    [Parameter(Mandatory = true)]
    [VectorBatchTransformation]
    [ValidateNotNullOrEmpty]
    public float[][] Vector { get; set; } = [];

    [Parameter]
    [IndexRangeTransformation]
    [ValidateRange(0, int.MaxValue)]
    public int[]? Expert { get; set; }

    [Parameter]
    public float[]? Bias { get; set; }

    /// <summary>Add the checkpoint's own bias tensor for the same weight and expert (gpt-oss).</summary>
    [Parameter]
    public SwitchParameter WithBias { get; set; }

    [Parameter]
    public MatVecPrecision Precision { get; set; } = MatVecPrecision.Exact;

    [Parameter]
    public MatVecActivation Activation { get; set; } = MatVecActivation.None;

    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = ParallelDecoder.MaxThreads;

    protected override void BeginProcessing()
    {
        if (WithBias && Bias is not null)
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException("-Bias and -WithBias both give a bias; use one."),
                ErrorIds.BiasConflict,
                ErrorCategory.InvalidArgument,
                null));
        }
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == InputObjectSet)
        {
            foreach (var tensor in InputObject)
            {
                Multiply(tensor);
            }

            return;
        }

        var filter = new NameFilter(Name);
        ForEachCheckpoint(Path, LiteralPath, (_, checkpoint) =>
        {
            foreach (var tensor in SelectedPairs(checkpoint.Tensors, filter))
            {
                Multiply(tensor);
            }
        });
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _shards.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Multiply(Mxfp4TensorInfo tensor) => ProcessInput(tensor.Name, () => MultiplyExperts(tensor));

    private void MultiplyExperts(Mxfp4TensorInfo tensor)
    {
        using var reader = TensorReader.Open(tensor, _shards);
        var matrix = new Mxfp4Matrix(reader.Storage, tensor.Rows, GroupsPerRow(tensor), tensor.Name);
        var biasTensor = WithBias ? FindBias(tensor, PipelineStopToken) : null;
        var experts = Experts(tensor).ToList();
        var progress = new ProgressReporter(this, 1, $"Multiplying {tensor.Name} ({Precision})");
        progress.Report(0, experts.Count, $"0 of {Plural.Of(experts.Count, "matrix", "matrices")}");
        try
        {
            for (int done = 0; done < experts.Count; done++)
            {
                int? expert = experts[done];
                var weights = expert is int e ? matrix.Expert(e, tensor.Shape[1]) : matrix;
                float[] bias = biasTensor is null ? Bias ?? [] : ReadBias(biasTensor, expert, weights.Rows);
                var results = Mxfp4MatVec.MultiplyBatch(weights, Vector, bias, Precision, Activation, ThrottleLimit, PipelineStopToken);
                for (int v = 0; v < results.Length; v++)
                {
                    WriteObject(new MatVecResult(tensor.Name, expert, v, Precision, Activation, results[v]));
                }

                progress.Report(done + 1, experts.Count, $"{done + 1} of {Plural.Of(experts.Count, "matrix", "matrices")}");
            }
        }
        finally
        {
            if (!PipelineStopToken.IsCancellationRequested)
            {
                progress.Complete();
            }
        }
    }

    /// <summary>A row of K columns multiplies a K-element vector, which must fit one array.</summary>
    private static int GroupsPerRow(Mxfp4TensorInfo tensor)
    {
        long groups = tensor.Columns / Mxfp4Format.BlockElements;
        if (groups > Mxfp4Matrix.MaxGroupsPerRow)
        {
            throw new Mxfp4Exception(
                ErrorIds.LimitsExceeded,
                Mxfp4ErrorCategory.LimitsExceeded,
                $"'{tensor.Name}' has {tensor.Columns} columns; a matrix-vector product takes at most "
                    + $"{(long)Mxfp4Matrix.MaxGroupsPerRow * Mxfp4Format.BlockElements}, since the vector must fit one array.",
                tensor.Name);
        }

        return (int)groups;
    }

    /// <summary>
    /// The selected experts of a 3-D tensor (all when none is given), or the whole matrix (null) of a 2-D one; checked
    /// by the same slice rules as ConvertFrom-Mxfp4 -Expert (ExpertOutOfRange, InvalidSlice), before any product runs.
    /// </summary>
    private IEnumerable<int?> Experts(Mxfp4TensorInfo tensor)
    {
        if (tensor.Shape.Length == 3 && tensor.Shape[0] > int.MaxValue)
        {
            throw new Mxfp4Exception(
                ErrorIds.LimitsExceeded,
                Mxfp4ErrorCategory.LimitsExceeded,
                $"'{tensor.Name}' has {tensor.Shape[0]} experts; -Expert addresses at most {int.MaxValue}.",
                tensor.Name);
        }

        var experts = Expert is { Length: > 0 } || tensor.Shape.Length != 3 ? Expert : Enumerable.Range(0, (int)tensor.Shape[0]).ToArray();
        return TensorSlice.Select(tensor.Name, tensor.Shape, experts, null).Select(slice => slice.Expert);
    }

    private TensorInfo FindBias(Mxfp4TensorInfo tensor, CancellationToken cancellationToken)
    {
        if (BiasLocator.Find(tensor, _shards, cancellationToken) is { } bias)
        {
            return bias;
        }

        string directory = System.IO.Path.GetDirectoryName(tensor.Path)!;
        throw new Mxfp4Exception(
            ErrorIds.BiasNotFound,
            Mxfp4ErrorCategory.ObjectNotFound,
            $"No bias tensor for '{tensor.Name}' in '{directory}' "
                + $"(looked for {string.Join(", ", GptOssNames.BiasCandidates(tensor).Select(n => $"'{n}'"))}).",
            tensor.Name);
    }

    private float[] ReadBias(TensorInfo bias, int? expert, long rows)
    {
        long first = expert is int e ? e * rows : 0;
        if (first + rows > bias.ElementCount)
        {
            throw new Mxfp4Exception(
                ErrorIds.ShapeMismatch,
                Mxfp4ErrorCategory.InvalidData,
                $"Bias '{bias.Name}' [{string.Join(", ", bias.Shape)}] has no {Plural.Of(rows, "value", "values")} "
                    + $"for {(expert is null ? "the matrix" : $"expert {expert}")}.",
                bias.Name);
        }

        using var reader = TensorReader.Open(bias, _shards);
        var values = new float[rows];
        reader.Source.Decode(
            first,
            checked((int)rows),
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()),
            OutputFormat.F32);
        return values;
    }
}
