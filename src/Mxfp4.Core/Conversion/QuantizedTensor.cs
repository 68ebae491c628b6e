using Mxfp4.Core.Formats;
using Mxfp4.Core.Quantization;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Core.Conversion;

/// <summary>
/// One half of an MXFP4 pair a checkpoint encoding writes: the blocks or the scales of a floating source tensor. The
/// blocks come first in the shard; encoding them also yields the scales, which the writer keeps (one byte per 32
/// elements) until the scales tensor right after them is written.
/// </summary>
public sealed class QuantizedTensor
{
    internal QuantizedTensor(TensorInfo source, ScaleRule rule, bool transpose, bool isScales)
    {
        Source = source;
        Rule = rule;
        Transpose = transpose;
        IsScales = isScales;
    }

    /// <summary>The floating tensor encoded (F32, BF16 or F16).</summary>
    public TensorInfo Source { get; }

    public ScaleRule Rule { get; }

    /// <summary>Whether each expert is read as <c>[in, out]</c> and encoded as <c>[out, in]</c> (transformers' dense layout).</summary>
    public bool Transpose { get; }

    /// <summary>Whether this is the scales half; otherwise the blocks.</summary>
    public bool IsScales { get; }

    /// <summary>Blocks of 32 elements in the tensor.</summary>
    public long BlockCount => Source.ElementCount / Mxfp4Format.BlockElements;
}
