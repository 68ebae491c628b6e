using Mxfp4.Core.Mxfp4;

namespace Mxfp4.Core.Tensors;

/// <summary>Naming facts of gpt-oss checkpoints that the engine relies on.</summary>
public static class GptOssNames
{
    /// <summary>
    /// The names the bias of an MXFP4 weight may have: Hugging Face <c>...gate_up_proj</c> → <c>...gate_up_proj_bias</c>;
    /// original <c>block.N.mlp.mlp1_weight</c> → <c>block.N.mlp.mlp1_bias</c>.
    /// </summary>
    public static IEnumerable<string> BiasCandidates(Mxfp4TensorInfo tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        yield return tensor.Name + "_bias";
        if (tensor.Name.EndsWith("_weight", StringComparison.Ordinal))
        {
            yield return tensor.Name[..^"_weight".Length] + "_bias";
        }

        yield return tensor.Name + ".bias";
    }

    /// <summary>
    /// Whether a tensor is one of the gpt-oss expert weights (<c>...mlp.experts.gate_up_proj</c>/<c>down_proj</c>, 3-D)
    /// that transformers' dense modules hold as <c>[E, in, out]</c>, the transpose of the stored <c>[E, out, in]</c>.
    /// </summary>
    public static bool IsTransformersExpertWeight(string name, int rank)
    {
        ArgumentNullException.ThrowIfNull(name);
        return rank == 3
            && (name.EndsWith(".mlp.experts.gate_up_proj", StringComparison.Ordinal)
                || name.EndsWith(".mlp.experts.down_proj", StringComparison.Ordinal));
    }
}
