namespace Mxfp4.Core.Conversion;

/// <summary>How converted MXFP4 tensors are named and shaped.</summary>
public enum ConversionLayout
{
    /// <summary>The name without the blocks suffix, shape <c>[..., G*32]</c> (rows = outputs, as stored).</summary>
    Natural,

    /// <summary>
    /// The dense Hugging Face gpt-oss layout: expert weights <c>...mlp.experts.gate_up_proj</c>/<c>down_proj</c>
    /// transposed to <c>[E, in, out]</c>, and config.json without its quantization_config.
    /// </summary>
    Transformers,
}
