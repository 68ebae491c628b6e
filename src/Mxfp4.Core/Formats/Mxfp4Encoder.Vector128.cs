using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Quantization;

namespace Mxfp4.Core.Formats;

public static partial class Mxfp4Encoder
{
    /// <summary>
    /// One block per iteration in 8 vectors of 4 floats: maximum of the absolute bits, the scale in scalar, then the
    /// seven threshold compares per vector (each true lane is −1, so the negated sum is the code), the sign as bit 3,
    /// and two narrowings to 32 nibble bytes, of which each even/odd pair is merged into one byte.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int EncodeVector128(ReadOnlySpan<float> values, Span<byte> blocks, Span<byte> scales, ScaleRule rule)
    {
        ref float input = ref MemoryMarshal.GetReference(values);
        ref byte block = ref MemoryMarshal.GetReference(blocks);
        ref byte scale = ref MemoryMarshal.GetReference(scales);
        int nonFinite = 0;
        nuint groups = (nuint)scales.Length;
        for (nuint g = 0; g < groups; g++)
        {
            ref float x = ref Unsafe.Add(ref input, g * Mxfp4Format.BlockElements);
            Vector128<uint> v0 = Vector128.LoadUnsafe(ref x, 0).AsUInt32();
            Vector128<uint> v1 = Vector128.LoadUnsafe(ref x, 4).AsUInt32();
            Vector128<uint> v2 = Vector128.LoadUnsafe(ref x, 8).AsUInt32();
            Vector128<uint> v3 = Vector128.LoadUnsafe(ref x, 12).AsUInt32();
            Vector128<uint> v4 = Vector128.LoadUnsafe(ref x, 16).AsUInt32();
            Vector128<uint> v5 = Vector128.LoadUnsafe(ref x, 20).AsUInt32();
            Vector128<uint> v6 = Vector128.LoadUnsafe(ref x, 24).AsUInt32();
            Vector128<uint> v7 = Vector128.LoadUnsafe(ref x, 28).AsUInt32();
            uint amax = Max128(v0, v1, v2, v3, v4, v5, v6, v7);
            if (amax >= NonFiniteBits)
            {
                Unsafe.Add(ref scale, g) = Mxfp4Format.NaNScale;
                Vector128<byte>.Zero.StoreUnsafe(ref block, g * Mxfp4Format.BlockBytes);
                nonFinite++;
                continue;
            }

            byte s = ScaleByte(amax, rule);
            Unsafe.Add(ref scale, g) = s;
            Vector128<float> factor = Vector128.Create(InverseScale(s));
            Vector128<uint> n0 = Nibbles128(v0, factor);
            Vector128<uint> n1 = Nibbles128(v1, factor);
            Vector128<uint> n2 = Nibbles128(v2, factor);
            Vector128<uint> n3 = Nibbles128(v3, factor);
            Vector128<uint> n4 = Nibbles128(v4, factor);
            Vector128<uint> n5 = Nibbles128(v5, factor);
            Vector128<uint> n6 = Nibbles128(v6, factor);
            Vector128<uint> n7 = Nibbles128(v7, factor);
            Vector128<byte> nibblesLow = Vector128.Narrow(Vector128.Narrow(n0, n1), Vector128.Narrow(n2, n3));
            Vector128<byte> nibblesHigh = Vector128.Narrow(Vector128.Narrow(n4, n5), Vector128.Narrow(n6, n7));
            Vector128<ushort> low = nibblesLow.AsUInt16();
            Vector128<ushort> high = nibblesHigh.AsUInt16();
            Vector128<byte> packed = Vector128.Narrow(low | (low >> 4), high | (high >> 4));
            packed.StoreUnsafe(ref block, g * Mxfp4Format.BlockBytes);
        }

        return nonFinite;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Nibbles128(Vector128<uint> bits, Vector128<float> factor)
    {
        Vector128<float> q = (bits & Vector128.Create(AbsMask)).AsSingle() * factor;
        Vector128<int> negativeCode = Vector128.GreaterThan(q, Vector128.Create(0.25f)).AsInt32()
            + Vector128.GreaterThanOrEqual(q, Vector128.Create(0.75f)).AsInt32()
            + Vector128.GreaterThan(q, Vector128.Create(1.25f)).AsInt32()
            + Vector128.GreaterThanOrEqual(q, Vector128.Create(1.75f)).AsInt32()
            + Vector128.GreaterThan(q, Vector128.Create(2.5f)).AsInt32()
            + Vector128.GreaterThanOrEqual(q, Vector128.Create(3.5f)).AsInt32()
            + Vector128.GreaterThan(q, Vector128.Create(5f)).AsInt32();
        return (Vector128<uint>.Zero - negativeCode.AsUInt32()) | ((bits >> 28) & Vector128.Create(8u));
    }

    /// <summary>The largest of the 32 absolute float32 bit patterns (sign bits cleared).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Max128(Vector128<uint> v0, Vector128<uint> v1, Vector128<uint> v2, Vector128<uint> v3, Vector128<uint> v4,
        Vector128<uint> v5, Vector128<uint> v6, Vector128<uint> v7)
    {
        Vector128<uint> mask = Vector128.Create(AbsMask);
        Vector128<uint> low = Vector128.Max(Vector128.Max(v0 & mask, v1 & mask), Vector128.Max(v2 & mask, v3 & mask));
        Vector128<uint> high = Vector128.Max(Vector128.Max(v4 & mask, v5 & mask), Vector128.Max(v6 & mask, v7 & mask));
        return HorizontalMax(Vector128.Max(low, high));
    }

    /// <summary>The largest lane of four.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint HorizontalMax(Vector128<uint> m)
    {
        m = Vector128.Max(m, Vector128.Shuffle(m, Vector128.Create(2u, 3, 0, 1)));
        m = Vector128.Max(m, Vector128.Shuffle(m, Vector128.Create(1u, 0, 3, 2)));
        return m.ToScalar();
    }
}
