namespace Mxfp4.Core.MatVec;

/// <summary>How <see cref="Mxfp4MatVec"/> multiplies.</summary>
public enum MatVecPrecision
{
    /// <summary>Float32 products of the exact weights, each block's float32 sum scaled by the block's scale and accumulated
    /// in float32 (float64 for rows that could overflow); see <see cref="Mxfp4MatVec"/> for the bound.</summary>
    Exact,

    /// <summary>The vector quantized to int8 per 32-element block, integer dot products per block; faster, error dominated by the
    /// quantization of x.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name",
        Justification = "Int8 names the arithmetic, as the cmdlet's precision value does.")]
    Int8,
}
