using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Mxfp4.Core.Numerics;

namespace Mxfp4.Core.Formats;

public static partial class Mxfp4Kernels
{
    /// <summary>
    /// The AVX2 kernel: one group per iteration. Each half block (8 bytes) is widened to 32-bit lanes; an 8-entry
    /// permute (vpermps) looks up the nibble magnitudes and the nibble's top bit becomes the sign, giving the products
    /// of the low (even) and high (odd) nibbles. 16-bit outputs pack an even/odd pair into each 32-bit lane, which is
    /// already element order; float32 output unpacks them, from bytes reordered so that the in-lane unpack is in order.
    /// </summary>
    private static class Width256
    {
        /// <summary>Bytes 16 elements occupy in the output.</summary>
        private static nuint PairBytes<TFormat>()
            where TFormat : struct, IOutputFormat
            => 16 * (nuint)TFormat.BytesPerElement;

        internal static void Dequantize<TFormat>(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, Span<byte> destination)
            where TFormat : struct, IOutputFormat
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
                ref byte target = ref Unsafe.Add(ref output, g * 2 * PairBytes<TFormat>());
                byte s = Unsafe.Add(ref scale, g);
                if (s == Mxfp4Format.NaNScale)
                {
                    TFormat.Store(nan, nan, Mxfp4Format.NaNScale, ref target);
                    TFormat.Store(nan, nan, Mxfp4Format.NaNScale, ref Unsafe.Add(ref target, PairBytes<TFormat>()));
                    continue;
                }

                Vector128<byte> packed = Vector128.LoadUnsafe(ref block, g * Mxfp4Format.BlockBytes);
                if (TFormat.InterleavesWithinLanes)
                {
                    packed = Shuffle(packed, order);
                }

                Vector256<ushort> words = Vector256.WidenLower(packed.ToVector256Unsafe());
                Vector256<float> factor = Vector256.Create(TFormat.Factor(s));
                WriteHalfBlock<TFormat>(Vector256.WidenLower(words), magnitudes, factor, s, ref target);
                ref byte upper = ref Unsafe.Add(ref target, PairBytes<TFormat>());
                WriteHalfBlock<TFormat>(Vector256.WidenUpper(words), magnitudes, factor, s, ref upper);
            }
        }

        private static void WriteHalfBlock<TFormat>(
            Vector256<uint> packed, Vector256<float> magnitudes, Vector256<float> factor, byte scale, ref byte destination)
            where TFormat : struct, IOutputFormat
        {
            // The sign is nibble bit 3: byte bit 3 for the low nibble, byte bit 7 for the high one.
            Vector256<float> even = Lookup(magnitudes, packed, Vector256.ShiftLeft(packed, 28)) * factor;
            Vector256<float> odd = Lookup(magnitudes, Vector256.ShiftRightLogical(packed, 4), Vector256.ShiftLeft(packed, 24)) * factor;
            TFormat.Store(even, odd, scale, ref destination);
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
    }
}
