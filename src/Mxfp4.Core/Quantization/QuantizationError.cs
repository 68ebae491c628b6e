using System.Runtime.InteropServices;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Numerics;

namespace Mxfp4.Core.Quantization;

/// <summary>
/// How far an encoding is from its input: the largest absolute error, the RMS error relative to the RMS of the input,
/// the elements that saturated (|x| above 6·2^e, which only <see cref="ScaleRule.Ocp"/> allows) and the blocks that
/// held NaN or ±Inf (left out of the error figures). Sums are in double. <see cref="Merge"/> is thread-safe.
/// </summary>
public sealed class QuantizationError
{
    private readonly object _lock = new();

    public double MaxAbsError { get; private set; }

    /// <summary>sqrt(Σ(x − decoded)² / Σx²) over the finite blocks; 0 when the input is all zeros.</summary>
    public double RelativeRmsError => SumSquaredInput == 0 ? 0 : Math.Sqrt(SumSquaredError / SumSquaredInput);

    public long SaturatedElements { get; private set; }

    public long NonFiniteBlocks { get; private set; }

    public double SumSquaredError { get; private set; }

    public double SumSquaredInput { get; private set; }

    /// <summary>Adds whole blocks: the input values and their encoding.</summary>
    public void Add(ReadOnlySpan<float> values, ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales)
    {
        Mxfp4Encoder.CheckLengths(values.Length, blocks.Length, scales.Length);
        Span<float> decoded = stackalloc float[Mxfp4Format.BlockElements];
        for (int g = 0; g < scales.Length; g++)
        {
            byte scale = scales[g];
            if (scale == Mxfp4Format.NaNScale)
            {
                NonFiniteBlocks++;
                continue;
            }

            Mxfp4Kernels.Dequantize(blocks.Slice(g * Mxfp4Format.BlockBytes, Mxfp4Format.BlockBytes), scales.Slice(g, 1),
                MemoryMarshal.AsBytes(decoded), OutputFormat.F32);
            double largest = Math.ScaleB(6.0, scale - Mxfp4Format.ScaleBias);
            var block = values.Slice(g * Mxfp4Format.BlockElements, Mxfp4Format.BlockElements);
            for (int i = 0; i < Mxfp4Format.BlockElements; i++)
            {
                double x = block[i];
                double error = Math.Abs(x - decoded[i]);
                MaxAbsError = Math.Max(MaxAbsError, error);
                SumSquaredError += error * error;
                SumSquaredInput += x * x;
                SaturatedElements += Math.Abs(x) > largest ? 1 : 0;
            }
        }
    }

    /// <summary>Adds another accumulator's figures to this one.</summary>
    public void Merge(QuantizationError other)
    {
        ArgumentNullException.ThrowIfNull(other);
        lock (_lock)
        {
            MaxAbsError = Math.Max(MaxAbsError, other.MaxAbsError);
            SumSquaredError += other.SumSquaredError;
            SumSquaredInput += other.SumSquaredInput;
            SaturatedElements += other.SaturatedElements;
            NonFiniteBlocks += other.NonFiniteBlocks;
        }
    }
}
