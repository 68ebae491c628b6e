using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Core.Conversion;

/// <summary>One tensor of an output shard and where its bytes come from: a byte-for-byte copy, a dequantized MXFP4 pair, or one half of a
/// floating tensor encoded to MXFP4.</summary>
public sealed class PlannedTensor
{
    private PlannedTensor(TensorSpec spec, TensorInfo? copyOf, Mxfp4TensorInfo? dequantize, bool transpose,
        QuantizedTensor? quantize = null)
    {
        Quantize = quantize;
        Spec = spec;
        CopyOf = copyOf;
        Dequantize = dequantize;
        Transpose = transpose;
    }

    public TensorSpec Spec { get; }

    /// <summary>The source tensor copied unchanged, or null for a dequantized one.</summary>
    public TensorInfo? CopyOf { get; }

    /// <summary>The MXFP4 pair dequantized into this tensor, or null for a copy.</summary>
    public Mxfp4TensorInfo? Dequantize { get; }

    /// <summary>The floating tensor encoded into this blocks or scales tensor, or null.</summary>
    public QuantizedTensor? Quantize { get; }

    /// <summary>Whether each expert's [out, in] matrix is written transposed as [in, out].</summary>
    public bool Transpose { get; }

    internal static PlannedTensor Copy(TensorInfo source)
        => new(new TensorSpec(source.Name, source.DType, source.Shape), source, null, false);

    internal static PlannedTensor Quantized(TensorSpec spec, QuantizedTensor source) => new(spec, null, null, false, source);

    internal static PlannedTensor Dequantized(TensorSpec spec, Mxfp4TensorInfo source, bool transpose)
        => new(spec, null, source, transpose);
}
