using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Mxfp4.Core.Numerics;

namespace Mxfp4.Core.Formats;

public static partial class Mxfp4Kernels
{
    /// <summary>
    /// The AVX-512 kernel: one group per iteration, a pure table lookup. Every element's value depends only on its
    /// nibble and its group's scale byte, so <see cref="ValueTable{TFormat}"/> holds, for each of the 256 scale bytes,
    /// the 16 output elements the scalar reference writes (NaN rows for scale 255, subnormals, infinities and -0
    /// included), and a group is one row load and one in-register permute per 16 output lanes: no arithmetic, no
    /// narrowing, no branch. The profile of the previous multiply-and-narrow kernel showed its F16 narrowing and F32
    /// interleave as the hot spots; this loop is about 8 instructions per group for 16-bit outputs.
    /// </summary>
    private static unsafe class Width512
    {
        internal static void Dequantize<TFormat>(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, Span<byte> destination,
            bool nonTemporal)
            where TFormat : struct, IOutputFormat
        {
            fixed (byte* block = blocks)
            fixed (byte* scale = scales)
            fixed (byte* output = destination)
            {
                byte* end = scale + scales.Length;
                byte* rows = ValueTable<TFormat>.Rows;
                if (TFormat.BytesPerElement == sizeof(ushort))
                {
                    if (nonTemporal)
                    {
                        Dequantize16<NonTemporalStore>(block, scale, end, output, rows);
                    }
                    else
                    {
                        Dequantize16<CachedStore>(block, scale, end, output, rows);
                    }
                }
                else if (nonTemporal)
                {
                    Dequantize32<NonTemporalStore>(block, scale, end, output, rows);
                }
                else
                {
                    Dequantize32<CachedStore>(block, scale, end, output, rows);
                }
            }
        }

        /// <summary>
        /// 16-bit elements: the 32-byte row is broadcast to both halves of a 32-word table, and each block byte b is
        /// widened to a 32-bit lane holding b | b &lt;&lt; 12, whose low word indexes with the low nibble (bit 4, the
        /// high nibble's bit 0, lands in the duplicate half) and whose high word with the high nibble: one vpermw puts
        /// the 32 elements in order, one 64-byte line.
        /// </summary>
        private static void Dequantize16<TStore>(byte* block, byte* scale, byte* end, byte* output, byte* rows)
            where TStore : struct, IStoreKind
        {
            for (; scale < end; scale++, block += Mxfp4Format.BlockBytes, output += 64)
            {
                Vector512<ushort> table = Row16(rows + ((nuint)(*scale) * 32));
                Vector512<uint> packed = ZeroExtendToUInt32(Vector128.Load(block));
                Vector512<ushort> index = (packed | Vector512.ShiftLeft(packed, 12)).AsUInt16();
                TStore.Store(Permute16(table, index).AsByte(), output);
            }
        }

        /// <summary>
        /// 32-bit elements: each half block's 8 bytes are widened to 64-bit lanes holding b | b &lt;&lt; 28, whose low
        /// dword indexes with the low nibble and high dword with the high nibble: one vpermps per 16 elements, in order.
        /// </summary>
        private static void Dequantize32<TStore>(byte* block, byte* scale, byte* end, byte* output, byte* rows)
            where TStore : struct, IStoreKind
        {
            for (; scale < end; scale++, block += Mxfp4Format.BlockBytes, output += 128)
            {
                Vector512<float> table = Vector512.Load((float*)(rows + ((nuint)(*scale) * 64)));
                Vector512<ulong> lower = ZeroExtendToUInt64(Vector128.CreateScalarUnsafe(*(ulong*)block).AsByte());
                Vector512<ulong> upper = ZeroExtendToUInt64(Vector128.CreateScalarUnsafe(*(ulong*)(block + 8)).AsByte());
                TStore.Store(Permute32(table, (lower | Vector512.ShiftLeft(lower, 28)).AsInt32()).AsByte(), output);
                TStore.Store(Permute32(table, (upper | Vector512.ShiftLeft(upper, 28)).AsInt32()).AsByte(), output + 64);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<ushort> Row16(byte* row)
        {
            if (Avx512F.IsSupported)
            {
                return Avx512F.BroadcastVector256ToVector512((ulong*)row).AsUInt16();
            }

            var half = Vector256.Load(row).AsUInt16();
            return Vector512.Create(half, half);
        }

        /// <summary>Byte k of <paramref name="bytes"/> in 32-bit lane k.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<uint> ZeroExtendToUInt32(Vector128<byte> bytes)
        {
            if (Avx512F.IsSupported)
            {
                return Avx512F.ConvertToVector512UInt32(bytes);
            }

            return Vector512.WidenLower(Vector512.WidenLower(bytes.ToVector256().ToVector512()));
        }

        /// <summary>Byte k (of the lower 8) of <paramref name="bytes"/> in 64-bit lane k.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<ulong> ZeroExtendToUInt64(Vector128<byte> bytes)
        {
            if (Avx512F.IsSupported)
            {
                return Avx512F.ConvertToVector512UInt64(bytes);
            }

            return Vector512.WidenLower(Vector512.WidenLower(Vector512.WidenLower(bytes.ToVector256().ToVector512())));
        }

        /// <summary>Word i of the result is <c>table[index[i] &amp; 31]</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<ushort> Permute16(Vector512<ushort> table, Vector512<ushort> index)
        {
            if (Avx512BW.IsSupported)
            {
                return Avx512BW.PermuteVar32x16(table, index);
            }

            return Vector512.Shuffle(table, index & Vector512.Create((ushort)31));
        }

        /// <summary>Lane i of the result is <c>table[index[i] &amp; 15]</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> Permute32(Vector512<float> table, Vector512<int> index)
        {
            if (Avx512F.IsSupported)
            {
                return Avx512F.PermuteVar16x32(table, index);
            }

            return Vector512.Shuffle(table, index & Vector512.Create(15));
        }
    }

    /// <summary>How a kernel writes a finished 64-byte line; a type parameter, so each kind gets its own loop.</summary>
    private interface IStoreKind
    {
        static abstract unsafe void Store(Vector512<byte> line, byte* target);
    }

    /// <summary>An ordinary store, at any alignment: the line stays in cache for a consumer that reads it soon.</summary>
    private readonly struct CachedStore : IStoreKind
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe void Store(Vector512<byte> line, byte* target) => line.Store(target);
    }

    /// <summary>
    /// A streaming store to a 64-byte aligned target: the line goes to memory without being read for ownership first,
    /// which saves a third of the traffic of an output nobody reads soon.
    /// </summary>
    private readonly struct NonTemporalStore : IStoreKind
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe void Store(Vector512<byte> line, byte* target) => line.StoreAlignedNonTemporal(target);
    }
}
