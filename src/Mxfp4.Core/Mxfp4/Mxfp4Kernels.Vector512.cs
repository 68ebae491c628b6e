using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Mxfp4.Core.Numerics;

namespace Mxfp4.Core.Mxfp4;

public static partial class Mxfp4Kernels
{
    private static void DequantizeVector512(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, Span<byte> destination,
        OutputFormat format)
    {
        switch (format)
        {
            case OutputFormat.F32:
                Width512.Dequantize<Width512.SingleWriter>(blocks, scales, destination);
                break;
            case OutputFormat.BF16:
                Width512.Dequantize<Width512.BFloat16Writer>(blocks, scales, destination);
                break;
            default:
                Width512.Dequantize<Width512.HalfWriter>(blocks, scales, destination);
                break;
        }
    }

    /// <summary>
    /// The AVX-512 kernel: one group per iteration. The 16 block bytes are widened to 32-bit lanes and a 16-entry
    /// permute (vpermps) looks up the low (even) nibbles, then the high (odd) ones. 16-bit outputs pack an even/odd
    /// pair into each 32-bit lane, which is already element order; float32 output interleaves them with a two-source
    /// permute.
    /// </summary>
    private static class Width512
    {
        internal interface IWriter
        {
            /// <summary>Bytes one group occupies in the output.</summary>
            static abstract nuint GroupBytes { get; }

            /// <summary>Writes a group from the products of its low (elements 0, 2, ...) and high (1, 3, ...) nibbles.</summary>
            static abstract void Write(Vector512<float> even, Vector512<float> odd, byte scale, ref byte destination);

            /// <summary>
            /// The factor the products of a group with scale byte <paramref name="scale"/> (below 255) are formed with
            /// before <see cref="Write"/> sees them, which is also passed that scale; NaN groups arrive as NaN with scale 255.
            /// </summary>
            static abstract float Factor(byte scale);
        }

        internal static void Dequantize<TWriter>(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, Span<byte> destination)
            where TWriter : struct, IWriter
        {
            ref byte block = ref MemoryMarshal.GetReference(blocks);
            ref byte scale = ref MemoryMarshal.GetReference(scales);
            ref byte output = ref MemoryMarshal.GetReference(destination);
            Vector512<float> table = Vector512.Create(UnitValueBits).AsSingle();
            Vector512<float> nan = Vector512.Create(Mxfp4Format.NaNBitsF32).AsSingle();
            nuint groups = (nuint)scales.Length;
            for (nuint g = 0; g < groups; g++)
            {
                ref byte target = ref Unsafe.Add(ref output, g * TWriter.GroupBytes);
                byte s = Unsafe.Add(ref scale, g);
                if (s == Mxfp4Format.NaNScale)
                {
                    TWriter.Write(nan, nan, Mxfp4Format.NaNScale, ref target);
                    continue;
                }

                Vector512<uint> packed = ZeroExtend(Vector128.LoadUnsafe(ref block, g * Mxfp4Format.BlockBytes));
                Vector512<float> factor = Vector512.Create(TWriter.Factor(s));
                Vector512<float> even = Lookup(table, packed) * factor;
                Vector512<float> odd = Lookup(table, Vector512.ShiftRightLogical(packed, 4)) * factor;
                TWriter.Write(even, odd, s, ref target);
            }
        }

        /// <summary>Byte k of <paramref name="bytes"/> in 32-bit lane k.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<uint> ZeroExtend(Vector128<byte> bytes)
        {
            if (Avx512F.IsSupported)
            {
                return Avx512F.ConvertToVector512UInt32(bytes);
            }

            return Vector512.WidenLower(Vector512.WidenLower(bytes.ToVector256().ToVector512()));
        }

        /// <summary>Lane i of the result is <c>table[index[i] &amp; 15]</c>; the bits above the nibble are ignored.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> Lookup(Vector512<float> table, Vector512<uint> index)
        {
            if (Avx512F.IsSupported)
            {
                return Avx512F.PermuteVar16x32(table, index.AsInt32());
            }

            return Vector512.Shuffle(table, (index & Vector512.Create(15u)).AsInt32());
        }

        /// <summary>
        /// even[0], odd[0], even[1], odd[1], ... from the lower (lanes 0..7) or upper (8..15) halves. Inlined with literal
        /// indices: built from a variable per call, the index vector cost more than the rest of the F32 kernel.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> Interleave(Vector512<float> even, Vector512<float> odd, bool upper)
        {
            if (Avx512F.IsSupported)
            {
                // Index bit 4 picks the second source.
                return upper
                    ? Avx512F.PermuteVar16x32x2(even, Vector512.Create(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31), odd)
                    : Avx512F.PermuteVar16x32x2(even, Vector512.Create(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23), odd);
            }

            Vector512<int> duplicated = upper
                ? Vector512.Create(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15)
                : Vector512.Create(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
            Vector512<int> oddLanes = Vector512.Create(0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1);
            return Vector512.ConditionalSelect(oddLanes.AsSingle(), Vector512.Shuffle(odd, duplicated),
                Vector512.Shuffle(even, duplicated));
        }

        /// <summary>
        /// F16 bits (in the low half of each lane) of float32 values whose mantissa has no bits below the F16 mantissa,
        /// as every MXFP4 product has: normal results need only an exponent rebias; values below the F16 normal range
        /// are rounded to the 2^-24 grid (round-to-nearest-even) by the float add of 0.5, whose ulp is 2^-24.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<uint> HalfBits(Vector512<float> value)
        {
            Vector512<uint> bits = value.AsUInt32();
            Vector512<uint> magnitude = bits & Vector512.Create(0x7FFF_FFFFu);
            Vector512<uint> sign = Vector512.ShiftRightLogical(bits, 16) & Vector512.Create(0x8000u);
            Vector512<uint> normal = Vector512.ShiftRightLogical(magnitude, 13) - Vector512.Create(HalfConstants.ExponentRebias);
            Vector512<uint> small = (magnitude.AsSingle() + Vector512.Create(0.5f)).AsUInt32() - Vector512.Create(
                HalfConstants.OneHalfBits);
            Vector512<int> signedMagnitude = magnitude.AsInt32();
            Vector512<uint> result = Vector512.ConditionalSelect(
                Vector512.GreaterThanOrEqual(signedMagnitude, Vector512.Create(HalfConstants.MinNormalBits)).AsUInt32(), normal, small);
            result = Vector512.ConditionalSelect(
                Vector512.GreaterThanOrEqual(signedMagnitude, Vector512.Create(HalfConstants.OverflowBits)).AsUInt32(),
                    Vector512.Create(HalfConstants.InfinityBits), result);
            result = Vector512.ConditionalSelect(
                Vector512.GreaterThan(signedMagnitude, Vector512.Create(HalfConstants.SingleInfinityBits)).AsUInt32(),
                    Vector512.Create(HalfConstants.NaNBits), result);
            return result | sign;
        }

        /// <summary>
        /// F16 bits (in the low half of each lane; the upper half is not cleared) of products formed with <see cref="HalfFactor"/> for a
        /// scale where
        /// <see cref="IsHalfNormalScale"/> holds: their float32 exponent is already rebiased to F16's, so the bits
        /// shifted right by 13 are the F16 exponent and mantissa.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<uint> NormalHalfBits(Vector512<float> value)
        {
            Vector512<uint> bits = value.AsUInt32();
            return Vector512.ShiftRightLogical(bits, 13) | (Vector512.ShiftRightLogical(bits, 16) & Vector512.Create(0x8000u));
        }

        internal readonly struct SingleWriter : IWriter
        {
            public static nuint GroupBytes => Mxfp4Format.BlockElements * sizeof(float);

            public static float Factor(byte scale) => ScaleFactor(scale);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static void Write(Vector512<float> even, Vector512<float> odd, byte scale, ref byte destination)
            {
                Interleave(even, odd, upper: false).AsByte().StoreUnsafe(ref destination);
                Interleave(even, odd, upper: true).AsByte().StoreUnsafe(ref destination, (nuint)Vector512<byte>.Count);
            }
        }

        internal readonly struct BFloat16Writer : IWriter
        {
            public static nuint GroupBytes => Mxfp4Format.BlockElements * sizeof(ushort);

            public static float Factor(byte scale) => ScaleFactor(scale);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static void Write(Vector512<float> even, Vector512<float> odd, byte scale, ref byte destination)
                => (Vector512.ShiftRightLogical(even.AsUInt32(), 16) | (odd.AsUInt32() & Vector512.Create(0xFFFF_0000u)))
                    .AsByte().StoreUnsafe(ref destination);
        }

        internal readonly struct HalfWriter : IWriter
        {
            public static nuint GroupBytes => Mxfp4Format.BlockElements * sizeof(ushort);

            public static float Factor(byte scale) => HalfFactor(scale);

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static void Write(Vector512<float> even, Vector512<float> odd, byte scale, ref byte destination)
            {
                Vector512<uint> pairs = IsHalfNormalScale(scale)
                    ? (NormalHalfBits(even) & Vector512.Create(0xFFFFu)) | Vector512.ShiftLeft(NormalHalfBits(odd), 16)
                    : HalfBits(even) | Vector512.ShiftLeft(HalfBits(odd), 16);
                pairs.AsByte().StoreUnsafe(ref destination);
            }
        }
    }
}
