using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Mxfp4.Core.Numerics;

namespace Mxfp4.Core.Formats;

public static partial class Mxfp4Kernels
{
    /// <summary>
    /// The 128-bit kernel (NEON on Arm64, SSSE3 on x64): one group per iteration, as eight vectors of 4 float32. The
    /// nibbles are spread to one byte each in element order; two 16-entry byte table lookups (TBL/pshufb) give the
    /// top two bytes of each float32 at scale 2^0 (its lower two bytes are always zero), which are then zipped into place.
    /// </summary>
    private static class Width128
    {
        /// <summary>Byte 3 of the float32 of each nibble value at scale 2^0: sign and the top 7 exponent bits.</summary>
        private static readonly Vector128<byte> HighBytes = ByteOfUnitValues(3);

        /// <summary>Byte 2 of the float32 of each nibble value at scale 2^0: the exponent's low bit and the mantissa's top bits.</summary>
        private static readonly Vector128<byte> LowBytes = ByteOfUnitValues(2);

        /// <summary>Bytes 8 elements occupy in the output.</summary>
        private static nuint PairBytes<TFormat>()
            where TFormat : struct, IOutputFormat
            => 8 * (nuint)TFormat.BytesPerElement;

        internal static void Dequantize<TFormat>(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, Span<byte> destination)
            where TFormat : struct, IOutputFormat
        {
            ref byte block = ref MemoryMarshal.GetReference(blocks);
            ref byte scale = ref MemoryMarshal.GetReference(scales);
            ref byte output = ref MemoryMarshal.GetReference(destination);
            Vector128<float> nan = Vector128.Create(Mxfp4Format.NaNBitsF32).AsSingle();
            Vector128<byte> nibbleMask = Vector128.Create((byte)0x0F);
            nuint groups = (nuint)scales.Length;
            for (nuint g = 0; g < groups; g++)
            {
                ref byte target = ref Unsafe.Add(ref output, g * 4 * PairBytes<TFormat>());
                byte s = Unsafe.Add(ref scale, g);
                if (s == Mxfp4Format.NaNScale)
                {
                    for (nuint pair = 0; pair < 4; pair++)
                    {
                        TFormat.Store(nan, nan, Mxfp4Format.NaNScale, ref Unsafe.Add(ref target, pair * PairBytes<TFormat>()));
                    }

                    continue;
                }

                Vector128<byte> packed = Vector128.LoadUnsafe(ref block, g * Mxfp4Format.BlockBytes);
                Vector128<byte> low = packed & nibbleMask;
                Vector128<byte> high = Vector128.ShiftRightLogical(packed.AsUInt16(), 4).AsByte() & nibbleMask;
                Vector128<float> factor = Vector128.Create(TFormat.Factor(s));
                WriteHalfBlock<TFormat>(ZipLow(low, high), factor, s, ref target);
                WriteHalfBlock<TFormat>(ZipHigh(low, high), factor, s, ref Unsafe.Add(ref target, 2 * PairBytes<TFormat>()));
            }
        }

        /// <summary>Writes the 16 elements whose nibbles are the bytes of <paramref name="nibbles"/>.</summary>
        private static void WriteHalfBlock<TFormat>(Vector128<byte> nibbles, Vector128<float> factor, byte scale, ref byte destination)
            where TFormat : struct, IOutputFormat
        {
            Vector128<byte> high = Lookup(HighBytes, nibbles);
            Vector128<byte> low = Lookup(LowBytes, nibbles);
            Vector128<ushort> first = ZipLow(low, high).AsUInt16();
            Vector128<ushort> second = ZipHigh(low, high).AsUInt16();
            TFormat.Store(ToSingle(first, upper: false) * factor, ToSingle(first, upper: true) * factor, scale, ref destination);
            ref byte next = ref Unsafe.Add(ref destination, PairBytes<TFormat>());
            TFormat.Store(ToSingle(second, upper: false) * factor, ToSingle(second, upper: true) * factor, scale, ref next);
        }

        /// <summary>The float32 whose top half is each of the lower or upper four 16-bit lanes.</summary>
        private static Vector128<float> ToSingle(Vector128<ushort> topHalves, bool upper)
        {
            Vector128<uint> widened = upper ? Vector128.WidenUpper(topHalves) : Vector128.WidenLower(topHalves);
            return Vector128.ShiftLeft(widened, 16).AsSingle();
        }

        /// <summary><c>table[index]</c> per byte, for indices 0..15.</summary>
        private static Vector128<byte> Lookup(Vector128<byte> table, Vector128<byte> index)
        {
            if (AdvSimd.Arm64.IsSupported)
            {
                return AdvSimd.Arm64.VectorTableLookup(table, index);
            }

            return Ssse3.IsSupported ? Ssse3.Shuffle(table, index) : Vector128.Shuffle(table, index);
        }

        /// <summary>a[0], b[0], a[1], b[1], ... a[7], b[7].</summary>
        private static Vector128<byte> ZipLow(Vector128<byte> a, Vector128<byte> b)
        {
            if (AdvSimd.Arm64.IsSupported)
            {
                return AdvSimd.Arm64.ZipLow(a, b);
            }

            return (Vector128.WidenLower(a) | Vector128.ShiftLeft(Vector128.WidenLower(b), 8)).AsByte();
        }

        /// <summary>a[8], b[8], a[9], b[9], ... a[15], b[15].</summary>
        private static Vector128<byte> ZipHigh(Vector128<byte> a, Vector128<byte> b)
        {
            if (AdvSimd.Arm64.IsSupported)
            {
                return AdvSimd.Arm64.ZipHigh(a, b);
            }

            return (Vector128.WidenUpper(a) | Vector128.ShiftLeft(Vector128.WidenUpper(b), 8)).AsByte();
        }

        private static Vector128<byte> ByteOfUnitValues(int byteIndex)
        {
            Span<byte> bytes = stackalloc byte[16];
            for (int nibble = 0; nibble < 16; nibble++)
            {
                bytes[nibble] = (byte)(UnitValueBits[nibble] >> (8 * byteIndex));
            }

            return Vector128.Create<byte>(bytes);
        }
    }
}
