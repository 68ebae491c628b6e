using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Mxfp4.Core.Mxfp4;

namespace Mxfp4.Core.Quantization;

public static partial class Mxfp4Encoder
{
    /// <summary>
    /// One block per iteration in 2 vectors of 16 floats: maximum of the absolute bits, the scale in scalar, then the
    /// seven threshold compares per vector (each true lane is −1, so the negated sum is the code), the sign as bit 3,
    /// and two narrowings to 32 nibble bytes, of which each even/odd pair is merged into one byte.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int EncodeVector512(ReadOnlySpan<float> values, Span<byte> blocks, Span<byte> scales, ScaleRule rule)
    {
        ref float input = ref MemoryMarshal.GetReference(values);
        ref byte block = ref MemoryMarshal.GetReference(blocks);
        ref byte scale = ref MemoryMarshal.GetReference(scales);
        int nonFinite = 0;
        nuint groups = (nuint)scales.Length;
        for (nuint g = 0; g < groups; g++)
        {
            ref float x = ref Unsafe.Add(ref input, g * Mxfp4Format.BlockElements);
            Vector512<uint> v0 = Vector512.LoadUnsafe(ref x, 0).AsUInt32();
            Vector512<uint> v1 = Vector512.LoadUnsafe(ref x, 16).AsUInt32();
            uint amax = Max512(v0, v1);
            if (amax >= NonFiniteBits)
            {
                Unsafe.Add(ref scale, g) = Mxfp4Format.NaNScale;
                Vector128<byte>.Zero.StoreUnsafe(ref block, g * Mxfp4Format.BlockBytes);
                nonFinite++;
                continue;
            }

            byte s = ScaleByte(amax, rule);
            Unsafe.Add(ref scale, g) = s;
            Vector512<float> factor = Vector512.Create(InverseScale(s));
            Vector512<uint> n0 = Nibbles512(v0, factor);
            Vector512<uint> n1 = Nibbles512(v1, factor);
            Vector512<byte> nibbles = Vector512.Narrow(Vector512.Narrow(n0, n1), Vector512.Narrow(n0, n1));
            Vector512<ushort> pairs = nibbles.AsUInt16();
            Vector512<byte> packed = Vector512.Narrow(pairs | (pairs >> 4), pairs | (pairs >> 4));
            packed.GetLower().GetLower().StoreUnsafe(ref block, g * Mxfp4Format.BlockBytes);
        }

        return nonFinite;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Nibbles512(Vector512<uint> bits, Vector512<float> factor)
    {
        Vector512<float> q = (bits & Vector512.Create(AbsMask)).AsSingle() * factor;
        Vector512<int> negativeCode = Vector512.GreaterThan(q, Vector512.Create(0.25f)).AsInt32()
            + Vector512.GreaterThanOrEqual(q, Vector512.Create(0.75f)).AsInt32()
            + Vector512.GreaterThan(q, Vector512.Create(1.25f)).AsInt32()
            + Vector512.GreaterThanOrEqual(q, Vector512.Create(1.75f)).AsInt32()
            + Vector512.GreaterThan(q, Vector512.Create(2.5f)).AsInt32()
            + Vector512.GreaterThanOrEqual(q, Vector512.Create(3.5f)).AsInt32()
            + Vector512.GreaterThan(q, Vector512.Create(5f)).AsInt32();
        return (Vector512<uint>.Zero - negativeCode.AsUInt32()) | ((bits >> 28) & Vector512.Create(8u));
    }

    /// <summary>The largest of the 32 absolute float32 bit patterns (sign bits cleared).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Max512(Vector512<uint> v0, Vector512<uint> v1)
    {
        Vector512<uint> mask = Vector512.Create(AbsMask);
        Vector512<uint> m = Vector512.Max(v0 & mask, v1 & mask);
        Vector256<uint> half = Vector256.Max(m.GetLower(), m.GetUpper());
        return HorizontalMax(Vector128.Max(half.GetLower(), half.GetUpper()));
    }
}
