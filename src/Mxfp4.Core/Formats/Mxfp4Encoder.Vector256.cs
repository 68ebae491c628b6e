using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Mxfp4.Core.Formats;
using Mxfp4.Core.Quantization;

namespace Mxfp4.Core.Formats;

public static partial class Mxfp4Encoder
{
    /// <summary>
    /// One block per iteration in 4 vectors of 8 floats: maximum of the absolute bits, the scale in scalar, then the
    /// seven threshold compares per vector (each true lane is −1, so the negated sum is the code), the sign as bit 3,
    /// and two narrowings to 32 nibble bytes, of which each even/odd pair is merged into one byte.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int EncodeVector256(ReadOnlySpan<float> values, Span<byte> blocks, Span<byte> scales, ScaleRule rule)
    {
        ref float input = ref MemoryMarshal.GetReference(values);
        ref byte block = ref MemoryMarshal.GetReference(blocks);
        ref byte scale = ref MemoryMarshal.GetReference(scales);
        int nonFinite = 0;
        nuint groups = (nuint)scales.Length;
        for (nuint g = 0; g < groups; g++)
        {
            ref float x = ref Unsafe.Add(ref input, g * Mxfp4Format.BlockElements);
            Vector256<uint> v0 = Vector256.LoadUnsafe(ref x, 0).AsUInt32();
            Vector256<uint> v1 = Vector256.LoadUnsafe(ref x, 8).AsUInt32();
            Vector256<uint> v2 = Vector256.LoadUnsafe(ref x, 16).AsUInt32();
            Vector256<uint> v3 = Vector256.LoadUnsafe(ref x, 24).AsUInt32();
            uint amax = Max256(v0, v1, v2, v3);
            if (amax >= NonFiniteBits)
            {
                Unsafe.Add(ref scale, g) = Mxfp4Format.NaNScale;
                Vector128<byte>.Zero.StoreUnsafe(ref block, g * Mxfp4Format.BlockBytes);
                nonFinite++;
                continue;
            }

            byte s = ScaleByte(amax, rule);
            Unsafe.Add(ref scale, g) = s;
            Vector256<float> factor = Vector256.Create(InverseScale(s));
            Vector256<uint> n0 = Nibbles256(v0, factor);
            Vector256<uint> n1 = Nibbles256(v1, factor);
            Vector256<uint> n2 = Nibbles256(v2, factor);
            Vector256<uint> n3 = Nibbles256(v3, factor);
            Vector256<byte> nibbles = Vector256.Narrow(Vector256.Narrow(n0, n1), Vector256.Narrow(n2, n3));
            Vector256<ushort> pairs = nibbles.AsUInt16();
            Vector256<byte> packed = Vector256.Narrow(pairs | (pairs >> 4), pairs | (pairs >> 4));
            packed.GetLower().StoreUnsafe(ref block, g * Mxfp4Format.BlockBytes);
        }

        return nonFinite;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Nibbles256(Vector256<uint> bits, Vector256<float> factor)
    {
        Vector256<float> q = (bits & Vector256.Create(AbsMask)).AsSingle() * factor;
        Vector256<int> negativeCode = Vector256.GreaterThan(q, Vector256.Create(0.25f)).AsInt32()
            + Vector256.GreaterThanOrEqual(q, Vector256.Create(0.75f)).AsInt32()
            + Vector256.GreaterThan(q, Vector256.Create(1.25f)).AsInt32()
            + Vector256.GreaterThanOrEqual(q, Vector256.Create(1.75f)).AsInt32()
            + Vector256.GreaterThan(q, Vector256.Create(2.5f)).AsInt32()
            + Vector256.GreaterThanOrEqual(q, Vector256.Create(3.5f)).AsInt32()
            + Vector256.GreaterThan(q, Vector256.Create(5f)).AsInt32();
        return (Vector256<uint>.Zero - negativeCode.AsUInt32()) | ((bits >> 28) & Vector256.Create(8u));
    }

    /// <summary>The largest of the 32 absolute float32 bit patterns (sign bits cleared).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Max256(Vector256<uint> v0, Vector256<uint> v1, Vector256<uint> v2, Vector256<uint> v3)
    {
        Vector256<uint> mask = Vector256.Create(AbsMask);
        Vector256<uint> m = Vector256.Max(Vector256.Max(v0 & mask, v1 & mask), Vector256.Max(v2 & mask, v3 & mask));
        return HorizontalMax(Vector128.Max(m.GetLower(), m.GetUpper()));
    }
}
