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
    /// <summary>
    /// The bias of <paramref name="tensor"/>, or null; headers and the index come from <paramref name="shards"/>, so a
    /// command that looks up the biases of many tensors reads and validates each file once.
    /// </summary>
    public static TensorInfo? Find(Mxfp4TensorInfo tensor, ShardSession shards, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(shards);
        var candidates = GptOssNames.BiasCandidates(tensor).ToList();
        foreach (var shard in new[] { tensor.Blocks.Path, tensor.Scales.Path }.Distinct(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (FindIn(candidates, shards.Get(shard).Header.Find) is { } bias)
            {
                return bias;
            }
        }

        var checkpoint = shards.Index(Path.GetDirectoryName(tensor.Blocks.Path)!, cancellationToken);
        return checkpoint is not null && checkpoint.ShardPaths.Contains(tensor.Blocks.Path, StringComparer.Ordinal)
            ? FindIn(candidates, checkpoint.Find)
            : null;
    }

    private static TensorInfo? FindIn(IEnumerable<string> candidates, Func<string, TensorInfo?> find)
        => candidates.Select(find).FirstOrDefault(t => t is not null);
}
