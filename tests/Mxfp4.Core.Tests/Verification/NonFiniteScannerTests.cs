using System.Runtime.InteropServices;
using FsCheck.Xunit;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Verification;
using Xunit;

namespace Mxfp4.Core.Tests.Verification;

/// <summary>The vectorized scanner against a scalar reference that asks .NET's own float types what each value is.</summary>
public sealed class NonFiniteScannerTests
{
    [Property(MaxTest = 200)]
    public bool F32_counts_match_the_scalar_reference(int seed, int lengthSeed)
    {
        var bytes = RandomBytes(seed, lengthSeed, 4, sprinkle: [0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0xFFFF_FFFF, 0x7F80_0001]);
        var values = MemoryMarshal.Cast<byte, float>(bytes);
        long nan = 0, inf = 0;
        foreach (var v in values)
        {
            nan += float.IsNaN(v) ? 1 : 0;
            inf += float.IsInfinity(v) ? 1 : 0;
        }

        return NonFiniteScanner.Count(bytes, SafetensorsDType.F32) == new NonFiniteCount(nan, inf);
    }

    [Property(MaxTest = 200)]
    public bool F16_counts_match_the_scalar_reference(int seed, int lengthSeed)
    {
        var bytes = RandomBytes(seed, lengthSeed, 2, sprinkle: [0x7C00, 0xFC00, 0x7E00, 0x7C01]);
        long nan = 0, inf = 0;
        foreach (var v in MemoryMarshal.Cast<byte, Half>(bytes))
        {
            nan += Half.IsNaN(v) ? 1 : 0;
            inf += Half.IsInfinity(v) ? 1 : 0;
        }

        return NonFiniteScanner.Count(bytes, SafetensorsDType.F16) == new NonFiniteCount(nan, inf);
    }

    [Property(MaxTest = 200)]
    public bool BF16_counts_match_the_scalar_reference(int seed, int lengthSeed)
    {
        var bytes = RandomBytes(seed, lengthSeed, 2, sprinkle: [0x7F80, 0xFF80, 0x7FC0, 0xFF81]);
        long nan = 0, inf = 0;
        foreach (var bits in MemoryMarshal.Cast<byte, ushort>(bytes))
        {
            float v = BitConverter.Int32BitsToSingle(bits << 16);
            nan += float.IsNaN(v) ? 1 : 0;
            inf += float.IsInfinity(v) ? 1 : 0;
        }

        return NonFiniteScanner.Count(bytes, SafetensorsDType.BF16) == new NonFiniteCount(nan, inf);
    }

    [Property(MaxTest = 200)]
    public bool F64_counts_match_the_scalar_reference(int seed, int lengthSeed)
    {
        var bytes = RandomBytes(seed, lengthSeed, 8, sprinkle: []);
        var values = MemoryMarshal.Cast<byte, double>(bytes.AsSpan());
        values[0] = double.NaN;
        if (values.Length > 1)
        {
            values[^1] = double.NegativeInfinity;
        }

        long nan = 0, inf = 0;
        foreach (var v in values)
        {
            nan += double.IsNaN(v) ? 1 : 0;
            inf += double.IsInfinity(v) ? 1 : 0;
        }

        return NonFiniteScanner.Count(bytes, SafetensorsDType.F64) == new NonFiniteCount(nan, inf);
    }

    [Fact]
    public void Every_8_bit_pattern_is_classified_as_the_OCP_formats_define()
    {
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

        // E4M3FN: S.1111.111 is NaN (2 patterns), no infinities. E5M2: S.11111.00 is Inf (2), S.11111.xx NaN (6).
        Assert.Equal(new NonFiniteCount(2, 0), NonFiniteScanner.Count(all, SafetensorsDType.F8_E4M3));
        Assert.Equal(new NonFiniteCount(6, 2), NonFiniteScanner.Count(all, SafetensorsDType.F8_E5M2));
    }

    [Fact]
    public void NaN_scales_are_the_bytes_255_across_many_vectors()
    {
        var scales = new byte[100_003];
        Array.Fill(scales, (byte)254);
        foreach (int i in new[] { 0, 31, 32, 4095, 65_536, 100_002 })
        {
            scales[i] = 255;
        }

        Assert.Equal(6, NonFiniteScanner.CountNaNScales(scales));
    }

    [Fact]
    public void Lane_counters_do_not_wrap_on_long_runs_of_non_finite_bytes()
    {
        var bytes = new byte[1 << 20];
        Array.Fill(bytes, (byte)0x7F);
        Assert.Equal(new NonFiniteCount(bytes.Length, 0), NonFiniteScanner.Count(bytes, SafetensorsDType.F8_E4M3));
    }

    private static byte[] RandomBytes(int seed, int lengthSeed, int elementSize, uint[] sprinkle)
    {
        var random = new Random(seed);
        int count = 1 + Math.Abs(lengthSeed % 5000);
        var bytes = new byte[count * elementSize];
        random.NextBytes(bytes);
        foreach (var pattern in sprinkle)
        {
            int at = random.Next(count) * elementSize;
            bool written = elementSize == 2
                ? BitConverter.TryWriteBytes(bytes.AsSpan(at, 2), (ushort)pattern)
                : BitConverter.TryWriteBytes(bytes.AsSpan(at, 4), pattern);
            Assert.True(written);
        }

        return bytes;
    }
}
