using Mxfp4.Core.Formats;

namespace Mxfp4.Core.MatVec;

/// <summary>One input vector in the form its precision's kernel reads, prepared once per call and shared by all workers.</summary>
internal sealed class PreparedVector
{
    private readonly float[]? _deinterleaved;
    private readonly sbyte[]? _quantized;
    private readonly double[]? _maxima;
    private readonly byte _firstWideScale;

    private PreparedVector(float[]? deinterleaved, byte firstWideScale, sbyte[]? quantized, double[]? maxima)
    {
        _deinterleaved = deinterleaved;
        _firstWideScale = firstWideScale;
        _quantized = quantized;
        _maxima = maxima;
    }

    internal static PreparedVector Create(ReadOnlySpan<float> x, MatVecPrecision precision)
    {
        if (precision == MatVecPrecision.Int8)
        {
            var quantized = new sbyte[x.Length];
            var maxima = new double[x.Length / Mxfp4Format.BlockElements];
            VectorPreparation.QuantizeInt8(x, quantized, maxima);
            return new PreparedVector(null, WideScales.First(x, maxima.Length, Int8DotKernel.BlockBound), quantized, maxima);
        }

        var deinterleaved = new float[x.Length];
        VectorPreparation.Deinterleave(x, deinterleaved);
        return new PreparedVector(deinterleaved, WideScales.First(x, x.Length / Mxfp4Format.BlockElements, ExactDotKernel.BlockBound), null,
            null);
    }

    /// <summary>The unbiased row sums of the rows whose blocks and scales are given.</summary>
    internal void RowSums(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, int groups, Span<double> sums, KernelPath path)
    {
        if (_deinterleaved is not null)
        {
            ExactDotKernel.Rows(blocks, scales, groups, _deinterleaved, _firstWideScale, sums, path);
        }
        else
        {
            Int8DotKernel.Rows(blocks, scales, groups, _quantized, _maxima, _firstWideScale, sums, path);
        }
    }
}
