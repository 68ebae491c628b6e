using System.Management.Automation;
using Mxfp4.Core;
using Mxfp4.Core.Safetensors;
using Mxfp4.PowerShell.Completion;
using Mxfp4.PowerShell.Infrastructure;

namespace Mxfp4.PowerShell.Commands;

/// <summary>Lists the tensors (or the metadata) of safetensors files, directories and sharded indexes.</summary>
[Cmdlet(VerbsCommon.Get, "SafetensorsHeader", DefaultParameterSetName = PathSet,
    HelpUri = "https://github.com/mxfp4/Mxfp4/blob/main/docs/en-US/Get-SafetensorsHeader.md")]
[OutputType(typeof(TensorInfo))]
[OutputType(typeof(MetadataEntry))]
public sealed class GetSafetensorsHeaderCommand : Mxfp4Cmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true,
        ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    [Parameter(Position = 1)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(TensorNameCompleter))]
    public string[]? Name { get; set; }

    [Parameter]
    public SwitchParameter Metadata { get; set; }

    protected override void ProcessRecord()
    {
        var filter = new NameFilter(Name);
        ForEachCheckpoint(Path, LiteralPath, (_, checkpoint) =>
        {
            if (Metadata)
            {
                WriteMetadata(checkpoint, filter);
                return;
            }

            foreach (var tensor in checkpoint.Tensors)
            {
                if (filter.Matches(tensor.Name))
                {
                    WriteObject(tensor);
                }
            }
        });
    }

    private void WriteMetadata(Checkpoint checkpoint, NameFilter filter)
    {
        foreach (var shard in checkpoint.ShardPaths)
        {
            foreach (var (key, value) in checkpoint.GetHeader(shard).Metadata)
            {
                if (filter.Matches(key))
                {
                    WriteObject(new MetadataEntry(shard, "Header", key, value));
                }
            }
        }

        foreach (var (key, value) in checkpoint.IndexMetadata)
        {
            if (filter.Matches(key))
            {
                WriteObject(new MetadataEntry(checkpoint.IndexPath ?? checkpoint.Path, "Index", key, value));
            }
        }
    }
}
