using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Mxfp4.Core.Numerics;

namespace Mxfp4.Core.Formats;

public static partial class Mxfp4Kernels
{
    /// <summary>
    /// The 256-bit kernel, one group per iteration. With AVX2, a lookup in the scale's byte planes of
    /// <see cref="ValueTable{TFormat}"/> (vpshufb per byte of the element; one thread in L2: F32/BF16/F16 2.6/1.3/1.3
    /// ns a group, against 4.3/4.1/5.8 for the arithmetic below). Without it, the portable arithmetic: each half block
    /// (8 bytes) is widened to 32-bit lanes; an 8-entry permute looks up the nibble magnitudes and the nibble's top bit
    /// becomes the sign, giving the products of the low (even) and high (odd) nibbles. 16-bit outputs pack an even/odd
    /// pair into each 32-bit lane, which is already element order; float32 output unpacks them, from bytes reordered
    /// so that the in-lane unpack is in order.
    /// </summary>
    private static class Width256
    {
        /// <summary>Bytes 16 elements occupy in the output.</summary>
        private static nuint PairBytes<TFormat>()
            where TFormat : struct, IOutputFormat
            => 16 * (nuint)TFormat.BytesPerElement;

        internal static unsafe void Dequantize<TFormat>(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, Span<byte> destination)
            where TFormat : struct, IOutputFormat
        {
            if (Avx2.IsSupported)
            {
                fixed (byte* blockBytes = blocks)
                fixed (byte* scaleBytes = scales)
                fixed (byte* outputBytes = destination)
                {
                    if (TFormat.BytesPerElement == sizeof(ushort))
                    {
                        Dequantize16(blockBytes, scaleBytes, scaleBytes + scales.Length, outputBytes, ValueTable<TFormat>.Planes);
                    }
                    else
                    {
                        Dequantize32(blockBytes, scaleBytes, scaleBytes + scales.Length, outputBytes, ValueTable<TFormat>.Planes);
                    }
                }

                return;
            }

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

        /// <summary>
        /// 16-bit elements on AVX2, a lookup like the 512-bit kernel's: the nibbles in element order index (vpshufb)
        /// the scale's plane of low bytes and its plane of high bytes, and the two are interleaved into elements.
        /// </summary>
        private static unsafe void Dequantize16(byte* block, byte* scale, byte* end, byte* output, byte* planes)
        {
            Vector128<byte> nibble = Vector128.Create((byte)0x0F);
            for (; scale < end; scale++, block += Mxfp4Format.BlockBytes, output += 64)
            {
                byte* plane = planes + ((nuint)(*scale) * 32);
                Vector128<byte> packed = Vector128.Load(block);
                Vector128<byte> even = packed & nibble;
                Vector128<byte> odd = Vector128.ShiftRightLogical(packed.AsUInt16(), 4).AsByte() & nibble;
                Vector256<byte> index = Vector256.Create(Sse2.UnpackLow(even, odd), Sse2.UnpackHigh(even, odd));
                Vector256<byte> low = Avx2.Shuffle(Avx2.BroadcastVector128ToVector256(plane), index);
                Vector256<byte> high = Avx2.Shuffle(Avx2.BroadcastVector128ToVector256(plane + 16), index);

                // Per 128-bit lane: elements 0..7 and 16..23, then 8..15 and 24..31.
                Vector256<byte> first = Avx2.UnpackLow(low, high);
                Vector256<byte> second = Avx2.UnpackHigh(low, high);
                Avx2.Permute2x128(first, second, 0x20).Store(output);
                Avx2.Permute2x128(first, second, 0x31).Store(output + 32);
            }
        }

        /// <summary>
        /// 32-bit elements on AVX2: the four byte planes looked up as for 16-bit elements, interleaved into words, then
        /// into doublewords.
        /// </summary>
        private static unsafe void Dequantize32(byte* block, byte* scale, byte* end, byte* output, byte* planes)
        {
            Vector128<byte> nibble = Vector128.Create((byte)0x0F);
            for (; scale < end; scale++, block += Mxfp4Format.BlockBytes, output += 128)
            {
                byte* plane = planes + ((nuint)(*scale) * 64);
                Vector128<byte> packed = Vector128.Load(block);
                Vector128<byte> even = packed & nibble;
                Vector128<byte> odd = Vector128.ShiftRightLogical(packed.AsUInt16(), 4).AsByte() & nibble;
                Vector256<byte> index = Vector256.Create(Sse2.UnpackLow(even, odd), Sse2.UnpackHigh(even, odd));
                Vector256<byte> byte0 = Avx2.Shuffle(Avx2.BroadcastVector128ToVector256(plane), index);
                Vector256<byte> byte1 = Avx2.Shuffle(Avx2.BroadcastVector128ToVector256(plane + 16), index);
                Vector256<byte> byte2 = Avx2.Shuffle(Avx2.BroadcastVector128ToVector256(plane + 32), index);
                Vector256<byte> byte3 = Avx2.Shuffle(Avx2.BroadcastVector128ToVector256(plane + 48), index);

                // Per 128-bit lane, the words (bytes 0-1, 2-3) of elements 0..7 and 16..23, then 8..15 and 24..31.
                Vector256<ushort> lowWordsFirst = Avx2.UnpackLow(byte0, byte1).AsUInt16();
                Vector256<ushort> lowWordsSecond = Avx2.UnpackHigh(byte0, byte1).AsUInt16();
                Vector256<ushort> highWordsFirst = Avx2.UnpackLow(byte2, byte3).AsUInt16();
                Vector256<ushort> highWordsSecond = Avx2.UnpackHigh(byte2, byte3).AsUInt16();

                // Per lane: elements 0..3, 4..7, 8..11, 12..15 (and 16.. in the upper lane).
                Vector256<ushort> elements0 = Avx2.UnpackLow(lowWordsFirst, highWordsFirst);
                Vector256<ushort> elements4 = Avx2.UnpackHigh(lowWordsFirst, highWordsFirst);
                Vector256<ushort> elements8 = Avx2.UnpackLow(lowWordsSecond, highWordsSecond);
                Vector256<ushort> elements12 = Avx2.UnpackHigh(lowWordsSecond, highWordsSecond);
                Avx2.Permute2x128(elements0, elements4, 0x20).Store((ushort*)output);
                Avx2.Permute2x128(elements8, elements12, 0x20).Store((ushort*)(output + 32));
                Avx2.Permute2x128(elements0, elements4, 0x31).Store((ushort*)(output + 64));
                Avx2.Permute2x128(elements8, elements12, 0x31).Store((ushort*)(output + 96));
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
