using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Mxfp4.Core.Formats;

namespace Mxfp4.Core.MatVec;

/// <summary>
/// Puts the vector in the order the kernels consume it, once per call: within each 32-element block the 16 even
/// elements, then the 16 odd ones, matching the low and high nibbles of the block's 16 bytes.
/// </summary>
internal static class VectorPreparation
{
    internal static void Deinterleave(ReadOnlySpan<float> x, Span<float> destination)
    {
        for (int start = 0; start < x.Length; start += Mxfp4Format.BlockElements)
        {
            for (int j = 0; j < 16; j++)
            {
                destination[start + j] = x[start + (2 * j)];
                destination[start + 16 + j] = x[start + (2 * j) + 1];
            }
        }
    }

    /// <summary>
    /// Symmetric int8 quantization per block: q = round-to-nearest-even(x·127/m) in float64 with m = max|x| of the
    /// block, so x ≈ q·m/127 with |x − q·m/127| ≤ m/254 (plus a float64 rounding). <paramref name="maxima"/> gets m
    /// (exact, a float32 value): the kernels multiply by m and divide by 127 once per row, keeping every per-block
    /// product exact. An all-zero block has m = 0; a block holding NaN or ±Inf gets m = NaN, which makes every row's
    /// result NaN (the product is undefined there). Values are written deinterleaved like <see cref="Deinterleave"/>.
    /// </summary>
    internal static void QuantizeInt8(ReadOnlySpan<float> x, Span<sbyte> quantized, Span<double> maxima)
    {
        for (int g = 0; g < maxima.Length; g++)
        {
            var block = x.Slice(g * Mxfp4Format.BlockElements, Mxfp4Format.BlockElements);
            var target = quantized.Slice(g * Mxfp4Format.BlockElements, Mxfp4Format.BlockElements);
            float max = 0;
            bool finite = true;
            foreach (float value in block)
            {
                finite &= float.IsFinite(value);
                max = Math.Max(max, Math.Abs(value));
            }

            if (!finite || max == 0)
            {
                target.Clear();
                maxima[g] = finite ? 0 : double.NaN;
                continue;
            }

            double inverse = 127.0 / max;
            maxima[g] = max;
            if (Avx.IsSupported)
            {
                QuantizeBlockAvx(block, inverse, target);
                continue;
            }

            for (int j = 0; j < 16; j++)
            {
                target[j] = Quantize(block[2 * j] * inverse);
                target[16 + j] = Quantize(block[(2 * j) + 1] * inverse);
            }
        }
    }

    /// <summary>
    /// One block as the scalar loop quantizes it, four elements at a time: widened to float64, multiplied by the same
    /// inverse, rounded to nearest even (vroundpd, the rounding Math.Round does) and clamped; then put in even/odd order.
    /// </summary>
    private static void QuantizeBlockAvx(ReadOnlySpan<float> block, double inverse, Span<sbyte> target)
    {
        Span<int> rounded = stackalloc int[Mxfp4Format.BlockElements];
        var scale = Vector256.Create(inverse);
        var low = Vector128.Create(-127);
        var high = Vector128.Create(127);
        for (int i = 0; i < Mxfp4Format.BlockElements; i += 4)
        {
            var wide = Avx.ConvertToVector256Double(Vector128.Create(block[i], block[i + 1], block[i + 2], block[i + 3]));
            var integral = Avx.ConvertToVector128Int32WithTruncation(Avx.RoundToNearestInteger(wide * scale));
            Vector128.Min(Vector128.Max(integral, low), high).CopyTo(rounded[i..]);
        }

        for (int j = 0; j < 16; j++)
        {
            target[j] = (sbyte)rounded[2 * j];
            target[16 + j] = (sbyte)rounded[(2 * j) + 1];
        }
    }

    private static sbyte Quantize(double scaled) => (sbyte)Math.Clamp(Math.Round(scaled), -127.0, 127.0);
}
