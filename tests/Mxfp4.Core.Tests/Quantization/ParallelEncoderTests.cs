using System.Runtime.InteropServices;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Quantization;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;
using Mxfp4.Core.Threading;
using Xunit;

namespace Mxfp4.Core.Tests.Quantization;

/// <summary>The parallel encoder against the reference, for any thread count, range and input dtype; its statistics against values computed
/// here.</summary>
public sealed class ParallelEncoderTests : IDisposable
{
    private const int Blocks = 9000;

    private readonly WorkerPool _pool = new(8);

    public void Dispose() => _pool.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public void Any_thread_count_gives_the_reference_bytes(int threads)
    {
        var (source, values) = Bf16Source(Blocks, seed: threads);
        var (expectedBlocks, expectedScales) = Reference(values, ScaleRule.Up);
        var blocks = new byte[Blocks * 16];
        var scales = new byte[Blocks];
        long nonFinite = Encode(source, 0, Blocks, blocks, scales, ScaleRule.Up, threads, null);
        Assert.Equal(0, nonFinite);
        Assert.Equal(expectedScales, scales);
        Assert.Equal(expectedBlocks, blocks);
    }

    [Fact]
    public void A_range_of_blocks_encodes_just_those_blocks()
    {
        var (source, values) = Bf16Source(Blocks, seed: 5);
        var (expectedBlocks, expectedScales) = Reference(values, ScaleRule.Ocp);
        var blocks = new byte[5000 * 16];
        var scales = new byte[5000];
        Encode(source, 1234, 5000, blocks, scales, ScaleRule.Ocp, 8, null);
        Assert.Equal(expectedScales.AsSpan(1234, 5000).ToArray(), scales);
        Assert.Equal(expectedBlocks.AsSpan(1234 * 16, 5000 * 16).ToArray(), blocks);
    }

    [Fact]
    public void F32_and_F16_inputs_encode_their_float32_values()
    {
        var random = new Random(7);
        var halves = Enumerable.Range(0, 4096 * 32).Select(_ => (Half)((random.NextDouble() - 0.5) * 100)).ToArray();
        var values = halves.Select(h => (float)h).ToArray();
        var (expectedBlocks, expectedScales) = Reference(values, ScaleRule.Up);
        foreach (
            var (bytes, dtype) in new[] { (MemoryMarshal.AsBytes(halves.AsSpan()).ToArray(), SafetensorsDType.F16),
            (MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), SafetensorsDType.F32) })
        {
            var blocks = new byte[4096 * 16];
            var scales = new byte[4096];
            Encode(new FloatTensorSource(bytes, dtype), 0, 4096, blocks, scales, ScaleRule.Up, 8, null);
            Assert.Equal(expectedScales, scales);
            Assert.Equal(expectedBlocks, blocks);
        }
    }

    [Fact]
    public void Statistics_match_values_computed_from_the_decoder_reference()
    {
        var (source, values) = Bf16Source(Blocks, seed: 11);
        values[100] = float.NaN;
        values[5000] = BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(1e30f) & 0xFFFF_0000);
        var bytes = MemoryMarshal.AsBytes(
            values.Select(v => (ushort)(BitConverter.SingleToUInt32Bits(v) >> 16)).ToArray().AsSpan()).ToArray();
        source = new FloatTensorSource(bytes, SafetensorsDType.BF16);
        var blocks = new byte[Blocks * 16];
        var scales = new byte[Blocks];
        var error = new QuantizationError();
        long nonFinite = Encode(source, 0, Blocks, blocks, scales, ScaleRule.Ocp, 8, error);

        var decoded = new float[values.Length];
        Mxfp4Reference.Dequantize(blocks, scales, MemoryMarshal.AsBytes(decoded.AsSpan()), OutputFormat.F32);
        double max = 0, sumError = 0, sumInput = 0;
        long saturated = 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (scales[i / 32] == 255)
            {
                continue;
            }

            double x = values[i];
            double e = Math.Abs(x - decoded[i]);
            max = Math.Max(max, e);
            sumError += e * e;
            sumInput += x * x;
            saturated += Math.Abs(x) > Math.ScaleB(6.0, scales[i / 32] - 127) ? 1 : 0;
        }

        Assert.Equal(1, nonFinite);
        Assert.Equal(1, error.NonFiniteBlocks);
        Assert.Equal(max, error.MaxAbsError);
        Assert.Equal(Math.Sqrt(sumError / sumInput), error.RelativeRmsError, 1e-12);
        Assert.Equal(saturated, error.SaturatedElements);
        Assert.True(saturated > 0);
    }

    [Fact]
    public void A_cancelled_token_stops_the_encoding()
    {
        var (source, _) = Bf16Source(Blocks, seed: 1);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(()
            => ParallelEncoder.Encode(source, 0, Blocks, new byte[Blocks * 16], new byte[Blocks], ScaleRule.Up, 2, null, cancelled.Token));
    }

    [Fact]
    public void Outputs_too_small_and_ranges_outside_the_tensor_are_refused()
    {
        var (source, _) = Bf16Source(10, seed: 1);
        Assert.Throws<ArgumentException>(()
            => ParallelEncoder.Encode(source, 0, 10, new byte[159], new byte[10], ScaleRule.Up, 2, null, CancellationToken.None));
        Assert.Throws<ArgumentOutOfRangeException>(()
            => ParallelEncoder.Encode(source, 5, 6, new byte[96], new byte[6], ScaleRule.Up, 2, null, CancellationToken.None));
    }

    private unsafe long Encode(TensorSource source, long first, long count, byte[] blocks, byte[] scales, ScaleRule rule, int threads,
        QuantizationError? error)
    {
        fixed (byte* b = blocks)
        fixed (byte* s = scales)
        {
            return ParallelEncoder.Encode(_pool, source, first, count, b, s, rule, threads, error, CancellationToken.None);
        }
    }

    /// <summary>Random BF16 weights with a spread of magnitudes per block, and their float32 values.</summary>
    private static (TensorSource Source, float[] Values) Bf16Source(int blocks, int seed)
    {
        var random = new Random(seed);
        var bits = new ushort[blocks * 32];
        for (int i = 0; i < bits.Length; i++)
        {
            int exponent = 100 + ((i / 32) % 40) + random.Next(-6, 1);
            bits[i] = (ushort)((random.Next(2) << 15) | (exponent << 7) | random.Next(128));
        }

        var values = bits.Select(b => BitConverter.UInt32BitsToSingle((uint)b << 16)).ToArray();
        return (new FloatTensorSource(MemoryMarshal.AsBytes(bits.AsSpan()).ToArray(), SafetensorsDType.BF16), values);
    }

    private static (byte[] Blocks, byte[] Scales) Reference(float[] values, ScaleRule rule)
    {
        var blocks = new byte[values.Length / 2];
        var scales = new byte[values.Length / 32];
        Mxfp4EncoderReference.Encode(values, blocks, scales, rule);
        return (blocks, scales);
    }
}
