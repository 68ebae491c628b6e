using System.Management.Automation;
using Mxfp4.Core;
using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Safetensors;
using Mxfp4.PowerShell.Completion;
using Mxfp4.PowerShell.Infrastructure;

namespace Mxfp4.PowerShell.Commands;

/// <summary>Pairs MXFP4 blocks and scales tensors into logical tensors, from checkpoints or from piped TensorInfo records.</summary>
[Cmdlet(VerbsCommon.Get, "Mxfp4Tensor", DefaultParameterSetName = PathSet,
    HelpUri = "https://github.com/mxfp4/Mxfp4/blob/main/docs/en-US/Get-Mxfp4Tensor.md")]
[OutputType(typeof(Mxfp4TensorInfo))]
public sealed class GetMxfp4TensorCommand : Mxfp4Cmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string InputObjectSet = "InputObject";

    private readonly List<TensorInfo> _piped = [];

    // Strings bind by value only: the records piped to this cmdlet carry a Path (their shard), which must not bind here.
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
    public TensorInfo[] InputObject { get; set; } = [];

    [Parameter(Position = 1)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(TensorNameCompleter))]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == InputObjectSet)
        {
            // Blocks and scales may arrive in either order, so pairing waits for the whole input.
            _piped.AddRange(InputObject);
            return;
        }

        ForEachCheckpoint(Path, LiteralPath, (_, checkpoint) => WritePairs(checkpoint.Tensors));
    }

    protected override void EndProcessing()
    {
        if (ParameterSetName == InputObjectSet)
        {
            WritePairs(_piped);
        }
    }

    private void WritePairs(IEnumerable<TensorInfo> tensors)
    {
        foreach (var tensor in SelectedPairs(tensors, new NameFilter(Name)))
        {
            WriteObject(tensor);
        }
    }
}
