using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Mxfp4.Core.Numerics;

namespace Mxfp4.Core.Formats;

public static partial class Mxfp4Kernels
{
    /// <summary>
    /// The AVX-512 kernel: one group per iteration. The 16 block bytes are widened to 32-bit lanes and a 16-entry
    /// permute (vpermps) looks up the low (even) nibbles, then the high (odd) ones. 16-bit outputs pack an even/odd
    /// pair into each 32-bit lane, which is already element order; float32 output interleaves them with a two-source
    /// permute.
    /// </summary>
    private static class Width512
    {
        internal static void Dequantize<TFormat>(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, Span<byte> destination)
            where TFormat : struct, IOutputFormat
        {
            ref byte block = ref MemoryMarshal.GetReference(blocks);
            ref byte scale = ref MemoryMarshal.GetReference(scales);
            ref byte output = ref MemoryMarshal.GetReference(destination);
            Vector512<float> table = Vector512.Create(UnitValueBits).AsSingle();
            Vector512<float> nan = Vector512.Create(Mxfp4Format.NaNBitsF32).AsSingle();
            nuint groups = (nuint)scales.Length;
            for (nuint g = 0; g < groups; g++)
            {
                ref byte target = ref Unsafe.Add(ref output, g * (Mxfp4Format.BlockElements * (nuint)TFormat.BytesPerElement));
                byte s = Unsafe.Add(ref scale, g);
                if (s == Mxfp4Format.NaNScale)
                {
                    TFormat.Store(nan, nan, Mxfp4Format.NaNScale, ref target);
                    continue;
                }

                Vector512<uint> packed = ZeroExtend(Vector128.LoadUnsafe(ref block, g * Mxfp4Format.BlockBytes));
                Vector512<float> factor = Vector512.Create(TFormat.Factor(s));
                Vector512<float> even = Lookup(table, packed) * factor;
                Vector512<float> odd = Lookup(table, Vector512.ShiftRightLogical(packed, 4)) * factor;
                TFormat.Store(even, odd, s, ref target);
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
    }
}
