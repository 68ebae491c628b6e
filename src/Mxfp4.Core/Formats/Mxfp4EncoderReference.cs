using Mxfp4.Core.Formats;
using Mxfp4.Core.Quantization;

namespace Mxfp4.Core.Formats;

/// <summary>
/// The scalar reference that defines every encoded bit, written straight from the rule: amax = max |x| of the 32
/// values; the scale exponent e is the smallest integer with amax ≤ 6·2^e (<see cref="ScaleRule.Up"/>) or
/// floor(log2 amax) − 2 (<see cref="ScaleRule.Ocp"/>), clamped to [−127, 127], and −127 when amax is 0; the scale byte
/// is e + 127. Each element x/2^e is rounded to the nearest E2M1 magnitude {0, 0.5, 1, 1.5, 2, 3, 4, 6}, ties to the
/// even code, magnitudes above 6 saturating to 6; the nibble's sign bit is the sign of x. A block holding NaN or ±Inf
/// becomes scale 255 with all bytes 0. Byte k holds element 2k in its low nibble and 2k+1 in its high one. All
/// arithmetic is in double, where every step here is exact. Deliberately simple and slow.
/// </summary>
public static class Mxfp4EncoderReference
{
    /// <summary>E2M1 magnitudes by code 0..7.</summary>
    private static readonly double[] Magnitudes = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0];

    /// <summary>
    /// Encodes <c>values.Length / 32</c> whole blocks into 16 bytes each of <paramref name="blocks"/> and one byte each
    /// of <paramref name="scales"/>. Returns how many blocks held NaN or ±Inf.
    /// </summary>
    public static int Encode(ReadOnlySpan<float> values, Span<byte> blocks, Span<byte> scales, ScaleRule rule)
    {
        Mxfp4Encoder.CheckLengths(values.Length, blocks.Length, scales.Length);
        int nonFinite = 0;
        for (int g = 0; g < scales.Length; g++)
        {
            var block = values.Slice(g * Mxfp4Format.BlockElements, Mxfp4Format.BlockElements);
            scales[g] = EncodeBlock(block, blocks.Slice(g * Mxfp4Format.BlockBytes, Mxfp4Format.BlockBytes), rule);
            nonFinite += scales[g] == Mxfp4Format.NaNScale ? 1 : 0;
        }

        return nonFinite;
    }

    /// <summary>Encodes one block of 32 values into 16 bytes and returns its scale byte.</summary>
    public static byte EncodeBlock(ReadOnlySpan<float> block, Span<byte> packed, ScaleRule rule)
    {
        double amax = 0;
        foreach (float x in block)
        {
            if (!float.IsFinite(x))
            {
                packed.Clear();
                return Mxfp4Format.NaNScale;
            }

            amax = Math.Max(amax, Math.Abs((double)x));
        }

        int e = ScaleExponent(amax, rule);
        for (int k = 0; k < Mxfp4Format.BlockBytes; k++)
        {
            packed[k] = (byte)(Nibble(block[2 * k], e) | (Nibble(block[(2 * k) + 1], e) << 4));
        }

        return (byte)(e + Mxfp4Format.ScaleBias);
    }

    /// <summary>The scale exponent e of a block whose largest magnitude is <paramref name="amax"/> (finite).</summary>
    public static int ScaleExponent(double amax, ScaleRule rule)
    {
        if (amax == 0)
        {
            return -127;
        }

        int e;
        if (rule == ScaleRule.Up)
        {
            // Start from floor(log2 amax), which is exact, and step to the smallest e with amax <= 6 * 2^e.
            e = Math.ILogB(amax);
            while (amax <= Math.ScaleB(6.0, e - 1))
            {
                e--;
            }

            while (amax > Math.ScaleB(6.0, e))
            {
                e++;
            }
        }
        else
        {
            e = Math.ILogB(amax) - 2;
        }

        return Math.Clamp(e, -127, 127);
    }

    /// <summary>The nibble of <paramref name="x"/> at scale 2^<paramref name="e"/>: sign bit of x, then the code of the nearest
    /// magnitude.</summary>
    public static int Nibble(float x, int e)
    {
        double q = Math.ScaleB(Math.Abs((double)x), -e);
        int best = 0;
        for (int code = 1; code < Magnitudes.Length; code++)
        {
            double distance = Math.Abs(q - Magnitudes[code]);
            double bestDistance = Math.Abs(q - Magnitudes[best]);
            if (distance < bestDistance || (distance == bestDistance && code % 2 == 0))
            {
                best = code;
            }
        }

        return best | (float.IsNegative(x) ? 8 : 0);
    }
}
