using Mxfp4.Core.Formats;
using Mxfp4.Core.Quantization;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;
using Xunit;

namespace Mxfp4.Core.Tests.Formats;

/// <summary>
/// <see cref="Mxfp4Encoder.EncodeColumns"/> against <see cref="Mxfp4EncoderReference"/> on each column picked out by the
/// test: column counts below, at and between multiples of the 32-column kernel, tiles wider than the columns encoded,
/// blocks and scales written with gaps (which must stay untouched), for both rules and every dtype, the vertical kernel
/// (BF16, and F32 cut to 16 bits with a sticky bit) and the gathering one.
/// </summary>
public sealed unsafe class ColumnEncoderTests
{
    private const int Gap = 5;
    private const byte Untouched = 0xA5;

    public static TheoryData<SafetensorsDType, bool, ScaleRule> Paths()
    {
        var data = new TheoryData<SafetensorsDType, bool, ScaleRule>();
        foreach (var rule in new[] { ScaleRule.Up, ScaleRule.Ocp })
        {
            data.Add(SafetensorsDType.BF16, false, rule);
            data.Add(SafetensorsDType.F16, false, rule);
            data.Add(SafetensorsDType.F32, false, rule);
            if (Mxfp4Encoder.EncodesBFloat16InPlace)
            {
                data.Add(SafetensorsDType.BF16, true, rule);
                data.Add(SafetensorsDType.F32, true, rule);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Columns_encode_as_the_reference_encodes_each_column(SafetensorsDType dtype, bool vertical, ScaleRule rule)
    {
        var random = new Random(11);
        foreach (int columns in new[] { 1, 7, 31, 32, 33, 63, 64, 77, 130 })
        {
            int stride = columns + Gap;
            var values = new float[32 * stride];
            for (int j = 0; j < columns; j++)
            {
                FillColumn(values, stride, j, random, dtype);
            }

            byte[] tile = Store(values, dtype);
            int blockStride = Mxfp4Format.BlockBytes + Gap;
            int scaleStride = 3;
            var blocks = Enumerable.Repeat(Untouched, columns * blockStride).ToArray();
            var scales = Enumerable.Repeat(Untouched, columns * scaleStride).ToArray();

            int nonFinite;
            fixed (byte* tilePointer = tile)
            fixed (byte* blocksPointer = blocks)
            fixed (byte* scalesPointer = scales)
            {
                nonFinite = Mxfp4Encoder.EncodeColumns(tilePointer, dtype, stride, columns, blocksPointer, blockStride, scalesPointer,
                    scaleStride, rule, vertical);
            }

            int expectedNonFinite = 0;
            var column = new float[32];
            var expectedBlock = new byte[Mxfp4Format.BlockBytes];
            for (int j = 0; j < columns; j++)
            {
                for (int k = 0; k < 32; k++)
                {
                    column[k] = values[(k * stride) + j];
                }

                byte expectedScale = Mxfp4EncoderReference.EncodeBlock(column, expectedBlock, rule);
                expectedNonFinite += expectedScale == Mxfp4Format.NaNScale ? 1 : 0;
                Assert.Equal(expectedScale, scales[j * scaleStride]);
                Assert.Equal(expectedBlock, blocks.AsSpan(j * blockStride, Mxfp4Format.BlockBytes).ToArray());
                Assert.All(blocks.AsSpan((j * blockStride) + Mxfp4Format.BlockBytes, Gap).ToArray(), b => Assert.Equal(Untouched, b));
                Assert.All(scales.AsSpan((j * scaleStride) + 1, scaleStride - 1).ToArray(), b => Assert.Equal(Untouched, b));
            }

            Assert.Equal(expectedNonFinite, nonFinite);
        }
    }

    /// <summary>
    /// One column's 32 values: ties of every E2M1 magnitude at a random scale, random values of a random binade, values
    /// beyond 6·2^e (saturating under Ocp), tiny blocks (amax from 2^-127 to 2^-120, with subnormal elements: the kernels
    /// hand scale bytes below 3 over to the reference), all zeros with -0, or a NaN or ±Inf among them; all exact in
    /// <paramref name="dtype"/>.
    /// </summary>
    private static void FillColumn(float[] values, int stride, int j, Random random, SafetensorsDType dtype)
    {
        float[] ties = [0.25f, 0.75f, 1.25f, 1.75f, 2.5f, 3.5f, 5f, 6f, 7f];
        int kind = random.Next(7);
        int exponent = dtype == SafetensorsDType.F16 ? random.Next(-10, 10) : random.Next(-100, 100);
        int tinyExponent = dtype == SafetensorsDType.F16 ? random.Next(-15, -12) : random.Next(-127, -120);
        float tinyAmax = (float)(1 + random.NextDouble()) * MathF.Pow(2, tinyExponent);
        for (int k = 0; k < 32; k++)
        {
            float sign = random.Next(2) == 0 ? 1f : -1f;
            float x = kind switch
            {
                0 => sign * ties[random.Next(ties.Length)] * MathF.Pow(2, exponent),
                1 => sign * (float)random.NextDouble() * MathF.Pow(2, exponent),
                2 => sign * (k == 0 ? tinyAmax : (float)random.NextDouble() * tinyAmax * MathF.Pow(2, -random.Next(8))),
                3 => k % 3 == 0 ? -0f : 0f,
                _ => sign * (float)(random.NextDouble() * 8) * MathF.Pow(2, exponent),
            };
            values[(k * stride) + j] = Representable(x, dtype);
        }

        if (kind == 5)
        {
            values[(random.Next(32) * stride) + j] = new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity }[random.Next(3)];
        }
    }

    private static float Representable(float x, SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.BF16 => BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(x) & 0xFFFF_0000),
        SafetensorsDType.F16 => (float)(Half)x,
        _ => x,
    };

    private static byte[] Store(float[] values, SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.BF16 => values.SelectMany(x => BitConverter.GetBytes((ushort)(BitConverter.SingleToUInt32Bits(x) >> 16)))
            .ToArray(),
        SafetensorsDType.F16 => values.SelectMany(x => BitConverter.GetBytes((Half)x)).ToArray(),
        _ => values.SelectMany(BitConverter.GetBytes).ToArray(),
    };
}
