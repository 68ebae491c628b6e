using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Core.Tensors;

/// <summary>
/// Finds the bias of an MXFP4 weight in the weight's own checkpoint: the shards that hold its blocks and scales, then
/// the shards the index beside them lists — never every *.safetensors file of the directory, where a backup copy or
/// another model's file would make every name ambiguous.
/// </summary>
public static class BiasLocator
{
    public static TensorInfo? Find(Mxfp4TensorInfo tensor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var candidates = GptOssNames.BiasCandidates(tensor).ToList();
        foreach (var shard in new[] { tensor.Blocks.Path, tensor.Scales.Path }.Distinct(StringComparer.Ordinal))
        {
            var header = SafetensorsHeader.Read(shard, cancellationToken);
            if (FindIn(candidates, header.Find) is { } bias)
            {
                return bias;
            }
        }

        string index = Path.Combine(Path.GetDirectoryName(tensor.Blocks.Path)!, Checkpoint.DefaultIndexName);
        if (!File.Exists(index))
        {
            return null;
        }

        using var checkpoint = Checkpoint.Open(index, cancellationToken);
        return checkpoint.ShardPaths.Contains(tensor.Blocks.Path, StringComparer.Ordinal) ? FindIn(candidates, checkpoint.Find) : null;
    }

    private static TensorInfo? FindIn(IEnumerable<string> candidates, Func<string, TensorInfo?> find)
        => candidates.Select(find).FirstOrDefault(t => t is not null);
}
