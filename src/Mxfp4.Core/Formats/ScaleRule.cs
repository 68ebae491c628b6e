// The namespace is not the folder's: users pass it as -ScaleRule and see it as the Rule of ConvertTo-Mxfp4's
// results, so it keeps the full name it was published with.
#pragma warning disable IDE0130 // Namespace does not match folder structure
namespace Mxfp4.Core.Quantization;
#pragma warning restore IDE0130

/// <summary>How an MXFP4 encoder picks a block's scale exponent e from the block's largest magnitude amax.</summary>
public enum ScaleRule
{
    /// <summary>
    /// The smallest e with amax ≤ 6·2^e, so no element saturates (triton_kernels' ROUND_UP, as transformers and the
    /// gpt-oss checkpoints quantize).
    /// </summary>
    Up,

    /// <summary>e = floor(log2 amax) − 2 (OCP MX v1.0 and ggml's reference quantizer); elements above 6·2^e saturate.</summary>
    Ocp,
}
