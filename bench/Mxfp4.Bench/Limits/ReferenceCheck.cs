using System.Globalization;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Quantization;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Bench.Limits;

/// <summary>
/// Checks a timed output on a sample against <see cref="Mxfp4Reference"/> (the scalar reference written from the
/// spec): decoded blocks must be bit-identical, ggml's decoded blocks equal as numbers (it writes +0 for −0), and
/// matvec rows are compared with a float64 sum over the reference weights. A mismatch stops the report: a figure for
/// a wrong result is worthless.
/// </summary>
internal static unsafe class ReferenceCheck
{
    private const int SampleBlocks = 4096;
    private const int SampleRows = 256;

    /// <summary>Our decoded output at <paramref name="output"/> (elements from 0) against the reference, on a spread sample of
    /// blocks.</summary>
    public static string Decoded(LimitsWorkload workload, byte* output, OutputFormat format)
    {
        int bytesPerBlock = Mxfp4Format.BlockElements * format.BytesPerElement();
        var expected = new byte[bytesPerBlock];
        long groups = workload.Scales.LongLength;
        foreach (long g in Sample(groups))
        {
            Mxfp4Reference.Dequantize(workload.Blocks.AsSpan((int)(g * Mxfp4Format.BlockBytes), Mxfp4Format.BlockBytes),
                workload.Scales.AsSpan((int)g, 1), expected, format);
            if (!new ReadOnlySpan<byte>(output + (g * bytesPerBlock), bytesPerBlock).SequenceEqual(expected))
            {
                throw new InvalidOperationException($"{format} output of block {g} differs from the reference.");
            }
        }

        return Invariant($"bit-exact on {SampleBlocks} blocks");
    }

    /// <summary>
    /// Encoded blocks and scales against <see cref="Mxfp4EncoderReference"/> on a spread sample of blocks; block b holds the
    /// 32 input elements <paramref name="elementOf"/>(b, 0..31) of <paramref name="input"/> (BF16 or F32 bits).
    /// </summary>
    public static string Encoded(ReadOnlySpan<byte> input, SafetensorsDType dtype, long blockCount, Func<long, int, long> elementOf,
        byte* blocks, byte* scales, ScaleRule rule)
    {
        Span<float> values = stackalloc float[Mxfp4Format.BlockElements];
        Span<byte> packed = stackalloc byte[Mxfp4Format.BlockBytes];
        foreach (long b in Sample(blockCount))
        {
            for (int k = 0; k < values.Length; k++)
            {
                long element = elementOf(b, k);
                values[k] = dtype switch
                {
                    SafetensorsDType.BF16
                        => BitConverter.Int32BitsToSingle(BitConverter.ToUInt16(input.Slice((int)(element * 2), 2)) << 16),
                    SafetensorsDType.F32 => BitConverter.ToSingle(input.Slice((int)(element * 4), 4)),
                    _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "The bench encodes BF16 and F32 inputs."),
                };
            }

            byte scale = Mxfp4EncoderReference.EncodeBlock(values, packed, rule);
            if (scales[b] != scale || !new ReadOnlySpan<byte>(blocks + (b * Mxfp4Format.BlockBytes), packed.Length).SequenceEqual(packed))
            {
                throw new InvalidOperationException($"Encoded block {b} ({dtype}, rule {rule}) differs from the reference.");
            }
        }

        return Invariant($"bit-exact on {Math.Min(SampleBlocks, blockCount)} blocks");
    }

    /// <summary>ggml's F32 output against the reference: equal as numbers where the scale is below 253; counts −0 written
    /// as +0.</summary>
    public static string GgmlDecoded(LimitsWorkload workload, float* output)
    {
        long groups = workload.Scales.LongLength;
        int signedZeros = 0;
        int skipped = 0;
        foreach (long g in Sample(groups))
        {
            if (!workload.OrdinaryScales(g, 1))
            {
                skipped++;
                continue;
            }

            var block = workload.Blocks.AsSpan((int)(g * Mxfp4Format.BlockBytes), Mxfp4Format.BlockBytes);
            for (int i = 0; i < Mxfp4Format.BlockElements; i++)
            {
                float expected = Mxfp4Reference.Element(block, i, workload.Scales[g]);
                float actual = output[(g * Mxfp4Format.BlockElements) + i];
                if (expected != actual)
                {
                    throw new InvalidOperationException(
                        $"ggml's F32 output of block {g} element {i} is {actual}, the reference {expected}.");
                }

                signedZeros += float.IsNegative(expected) != float.IsNegative(actual) ? 1 : 0;
            }
        }

        return Invariant(
            $"equal on {SampleBlocks - skipped} blocks except sign of zero ({signedZeros} −0 → +0); {skipped} with scale ≥ 253 not ")
                + "compared";
    }

    /// <summary>
    /// max |y − y64| / Σ|w·x| over a spread sample of rows of <paramref name="matrixFirstRow"/>.. whose scales are all
    /// below 253, y64 the float64 sum of the reference weights times x.
    /// </summary>
    public static double MatVecError(LimitsWorkload workload, long matrixFirstRow, ReadOnlySpan<float> y, ReadOnlySpan<float> x)
    {
        int groups = LimitsWorkload.GroupsPerRow;
        double worst = 0;
        int checkedRows = 0;
        foreach (long r in Sample(y.Length, SampleRows))
        {
            long row = matrixFirstRow + r;
            if (!workload.OrdinaryScales(row * groups, groups))
            {
                continue;
            }

            double sum = 0;
            double magnitude = 0;
            for (int g = 0; g < groups; g++)
            {
                long group = (row * groups) + g;
                var block = workload.Blocks.AsSpan((int)(group * Mxfp4Format.BlockBytes), Mxfp4Format.BlockBytes);
                for (int i = 0; i < Mxfp4Format.BlockElements; i++)
                {
                    double product = (double)Mxfp4Reference.Element(block, i, workload.Scales[group]) * x[(g * Mxfp4Format.BlockElements)
                        + i];
                    sum += product;
                    magnitude += Math.Abs(product);
                }
            }

            worst = Math.Max(worst, magnitude == 0 ? Math.Abs(y[(int)r]) : Math.Abs(y[(int)r] - sum) / magnitude);
            checkedRows++;
        }

        if (checkedRows == 0)
        {
            throw new InvalidOperationException("No sampled row had only ordinary scales.");
        }

        return worst;
    }

    private static IEnumerable<long> Sample(long count, int samples = SampleBlocks)
    {
        long step = Math.Max(1, count / samples);
        for (long i = 0, taken = 0; i < count && taken < samples; i += step, taken++)
        {
            yield return i;
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
