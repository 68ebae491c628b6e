using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Mxfp4.Core.Numerics;

namespace Mxfp4.Core.Mxfp4;

public static partial class Mxfp4Kernels
{
    private static void DequantizeVector256(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, Span<byte> destination,
        OutputFormat format)
    {
        switch (format)
        {
            case OutputFormat.F32:
                Width256.Dequantize<Width256.SingleWriter>(blocks, scales, destination);
                break;
            case OutputFormat.BF16:
                Width256.Dequantize<Width256.BFloat16Writer>(blocks, scales, destination);
                break;
            default:
                Width256.Dequantize<Width256.HalfWriter>(blocks, scales, destination);
                break;
        }
    }

    /// <summary>
    /// The AVX2 kernel: one group per iteration. Each half block (8 bytes) is widened to 32-bit lanes; an 8-entry
    /// permute (vpermps) looks up the nibble magnitudes and the nibble's top bit becomes the sign, giving the products
    /// of the low (even) and high (odd) nibbles. 16-bit outputs pack an even/odd pair into each 32-bit lane, which is
    /// already element order; float32 output unpacks them, from bytes reordered so that the in-lane unpack is in order.
    /// </summary>
    private static class Width256
    {
        internal interface IWriter
        {
            /// <summary>Bytes 16 elements occupy in the output.</summary>
            static abstract nuint PairBytes { get; }

            /// <summary>Whether lane j must hold block byte [0 1 4 5 2 3 6 7][j] (of each half) rather than byte j.</summary>
            static abstract bool ReordersBytes { get; }

            /// <summary>Writes the 16 elements of 8 block bytes from the products of their low and high nibbles.</summary>
            static abstract void Write(Vector256<float> even, Vector256<float> odd, byte scale, ref byte destination);

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
            Vector256<float> magnitudes = Vector256.Create(UnitValueBits[..8]).AsSingle();
            Vector256<float> nan = Vector256.Create(Mxfp4Format.NaNBitsF32).AsSingle();

            // For float32 output: unpacking 32-bit lanes holding bytes [0 1 4 5 | 2 3 6 7] lane-wise gives elements 0..7, then 8..15.
            Vector128<byte> order = Vector128.Create((byte)0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15);
            nuint groups = (nuint)scales.Length;
            for (nuint g = 0; g < groups; g++)
            {
                ref byte target = ref Unsafe.Add(ref output, g * 2 * TWriter.PairBytes);
                byte s = Unsafe.Add(ref scale, g);
                if (s == Mxfp4Format.NaNScale)
                {
                    TWriter.Write(nan, nan, Mxfp4Format.NaNScale, ref target);
                    TWriter.Write(nan, nan, Mxfp4Format.NaNScale, ref Unsafe.Add(ref target, TWriter.PairBytes));
                    continue;
                }

                Vector128<byte> packed = Vector128.LoadUnsafe(ref block, g * Mxfp4Format.BlockBytes);
                if (TWriter.ReordersBytes)
                {
                    packed = Shuffle(packed, order);
                }

                Vector256<ushort> words = Vector256.WidenLower(packed.ToVector256Unsafe());
                Vector256<float> factor = Vector256.Create(TWriter.Factor(s));
                WriteHalfBlock<TWriter>(Vector256.WidenLower(words), magnitudes, factor, s, ref target);
                WriteHalfBlock<TWriter>(Vector256.WidenUpper(words), magnitudes, factor, s, ref Unsafe.Add(ref target, TWriter.PairBytes));
            }
        }

        private static void WriteHalfBlock<TWriter>(Vector256<uint> packed, Vector256<float> magnitudes, Vector256<float> factor,
            byte scale, ref byte destination)
            where TWriter : struct, IWriter
        {
            // The sign is nibble bit 3: byte bit 3 for the low nibble, byte bit 7 for the high one.
            Vector256<float> even = Lookup(magnitudes, packed, Vector256.ShiftLeft(packed, 28)) * factor;
            Vector256<float> odd = Lookup(magnitudes, Vector256.ShiftRightLogical(packed, 4), Vector256.ShiftLeft(packed, 24)) * factor;
            TWriter.Write(even, odd, scale, ref destination);
        }

        /// <summary><c>magnitudes[index &amp; 7]</c> with the sign bit taken from bit 31 of <paramref name="sign"/>.</summary>
        private static Vector256<float> Lookup(Vector256<float> magnitudes, Vector256<uint> index, Vector256<uint> sign)
        {
            Vector256<float> magnitude = Avx2.IsSupported
                ? Avx2.PermuteVar8x32(magnitudes, index.AsInt32())
                : Vector256.Shuffle(magnitudes, (index & Vector256.Create(7u)).AsInt32());
            return magnitude | (sign & Vector256.Create(0x8000_0000u)).AsSingle();
        }

        private static Vector128<byte> Shuffle(Vector128<byte> bytes, Vector128<byte> order)
            => Ssse3.IsSupported ? Ssse3.Shuffle(bytes, order) : Vector128.Shuffle(bytes, order);

        /// <summary>Per 128-bit lane: even[0], odd[0], even[1], odd[1] (lower) or even[2], odd[2], even[3], odd[3] (upper).</summary>
        private static Vector256<float> Unpack(Vector256<float> even, Vector256<float> odd, bool upper)
        {
            if (Avx.IsSupported)
            {
                return upper ? Avx.UnpackHigh(even, odd) : Avx.UnpackLow(even, odd);
            }

            Vector256<int> duplicated = upper ? Vector256.Create(2, 2, 3, 3, 6, 6, 7, 7) : Vector256.Create(0, 0, 1, 1, 4, 4, 5, 5);
            Vector256<int> oddLanes = Vector256.Create(0, -1, 0, -1, 0, -1, 0, -1);
            return Vector256.ConditionalSelect(oddLanes.AsSingle(), Vector256.Shuffle(odd, duplicated),
                Vector256.Shuffle(even, duplicated));
        }

        /// <summary>F16 bits of exactly representable products; see the Vector512 kernel's HalfBits for the method.</summary>
        private static Vector256<uint> HalfBits(Vector256<float> value)
        {
            Vector256<uint> bits = value.AsUInt32();
            Vector256<uint> magnitude = bits & Vector256.Create(0x7FFF_FFFFu);
            Vector256<uint> sign = Vector256.ShiftRightLogical(bits, 16) & Vector256.Create(0x8000u);
            Vector256<uint> normal = Vector256.ShiftRightLogical(magnitude, 13) - Vector256.Create(HalfConstants.ExponentRebias);
            Vector256<uint> small = (magnitude.AsSingle() + Vector256.Create(0.5f)).AsUInt32() - Vector256.Create(
                HalfConstants.OneHalfBits);
            Vector256<int> signedMagnitude = magnitude.AsInt32();
            Vector256<uint> result = Vector256.ConditionalSelect(
                Vector256.GreaterThanOrEqual(signedMagnitude, Vector256.Create(HalfConstants.MinNormalBits)).AsUInt32(), normal, small);
            result = Vector256.ConditionalSelect(
                Vector256.GreaterThanOrEqual(signedMagnitude, Vector256.Create(HalfConstants.OverflowBits)).AsUInt32(),
                    Vector256.Create(HalfConstants.InfinityBits), result);
            result = Vector256.ConditionalSelect(
                Vector256.GreaterThan(signedMagnitude, Vector256.Create(HalfConstants.SingleInfinityBits)).AsUInt32(),
                    Vector256.Create(HalfConstants.NaNBits), result);
            return result | sign;
        }

        /// <summary>
        /// F16 bits (in the low half of each lane; the upper half is not cleared) of products formed with <see cref="HalfFactor"/> for a
        /// scale where
        /// <see cref="IsHalfNormalScale"/> holds: their float32 exponent is already rebiased to F16's, so the bits
        /// shifted right by 13 are the F16 exponent and mantissa.
        /// </summary>
        private static Vector256<uint> NormalHalfBits(Vector256<float> value)
        {
            Vector256<uint> bits = value.AsUInt32();
            return Vector256.ShiftRightLogical(bits, 13) | (Vector256.ShiftRightLogical(bits, 16) & Vector256.Create(0x8000u));
        }

        internal readonly struct SingleWriter : IWriter
        {
            public static nuint PairBytes => 16 * sizeof(float);

            public static bool ReordersBytes => true;

            public static float Factor(byte scale) => ScaleFactor(scale);

            public static void Write(Vector256<float> even, Vector256<float> odd, byte scale, ref byte destination)
            {
                Unpack(even, odd, upper: false).AsByte().StoreUnsafe(ref destination);
                Unpack(even, odd, upper: true).AsByte().StoreUnsafe(ref destination, (nuint)Vector256<byte>.Count);
            }
        }

        internal readonly struct BFloat16Writer : IWriter
        {
            public static nuint PairBytes => 16 * sizeof(ushort);

            public static bool ReordersBytes => false;

            public static float Factor(byte scale) => ScaleFactor(scale);

            public static void Write(Vector256<float> even, Vector256<float> odd, byte scale, ref byte destination)
                => (Vector256.ShiftRightLogical(even.AsUInt32(), 16) | (odd.AsUInt32() & Vector256.Create(0xFFFF_0000u)))
                    .AsByte().StoreUnsafe(ref destination);
        }

        internal readonly struct HalfWriter : IWriter
        {
            public static nuint PairBytes => 16 * sizeof(ushort);

            public static bool ReordersBytes => false;

            public static float Factor(byte scale) => HalfFactor(scale);

            public static void Write(Vector256<float> even, Vector256<float> odd, byte scale, ref byte destination)
            {
                Vector256<uint> pairs = IsHalfNormalScale(scale)
                    ? (NormalHalfBits(even) & Vector256.Create(0xFFFFu)) | Vector256.ShiftLeft(NormalHalfBits(odd), 16)
                    : HalfBits(even) | Vector256.ShiftLeft(HalfBits(odd), 16);
                pairs.AsByte().StoreUnsafe(ref destination);
            }
        }
    }
}
