using System.Numerics.Tensors;

namespace Mxfp4.Core.MatVec;

/// <summary>
/// Where the float32 kernels stop being safe for a given vector: rows holding a scale from <see cref="First"/> on are
/// summed on a float64 route instead, so the float32 lanes never overflow.
/// </summary>
internal static class WideScales
{
    /// <summary>
    /// The smallest scale byte from which a row is summed in float64 for this x: 253 (the weights overflow float32), or
    /// lower when <paramref name="blockBound"/>·G·max|x|·2^(s − 128), the most a row's float32 lanes could then have
    /// to hold (every lane, product and partial sum is bounded by it), reaches 2^126; 0 when
    /// <paramref name="blockBound"/>·max|x| alone reaches 2^126 or x holds NaN or ±Inf.
    /// </summary>
    internal static byte First(ReadOnlySpan<float> x, int groups, double blockBound)
    {
        double largest = x.IsEmpty ? 0 : Math.Abs(TensorPrimitives.MaxMagnitude(x));
        if (!double.IsFinite(largest) || blockBound * largest >= Math.ScaleB(1.0, 126))
        {
            return 0;
        }

        double total = blockBound * groups * largest;
        return total == 0 ? OverflowBlocks.FirstScale
            : (byte)Math.Clamp(Math.Ceiling(254 - Math.Log2(total)), 0, OverflowBlocks.FirstScale);
    }
}
