using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Mxfp4.Core.Numerics;

namespace Mxfp4.Core.Mxfp4;

public static partial class Mxfp4Kernels
{
    private static void DequantizeVector128(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, Span<byte> destination,
        OutputFormat format)
    {
        switch (format)
        {
            case OutputFormat.F32:
                Width128.Dequantize<Width128.SingleWriter>(blocks, scales, destination);
                break;
            case OutputFormat.BF16:
                Width128.Dequantize<Width128.BFloat16Writer>(blocks, scales, destination);
                break;
            default:
                Width128.Dequantize<Width128.HalfWriter>(blocks, scales, destination);
                break;
        }
    }

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

        internal interface IWriter
        {
            /// <summary>Bytes 8 elements occupy in the output.</summary>
            static abstract nuint PairBytes { get; }

            /// <summary>Writes 8 consecutive elements: <paramref name="first"/> then <paramref name="second"/>.</summary>
            static abstract void Write(Vector128<float> first, Vector128<float> second, byte scale, ref byte destination);

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
            Vector128<float> nan = Vector128.Create(Mxfp4Format.NaNBitsF32).AsSingle();
            Vector128<byte> nibbleMask = Vector128.Create((byte)0x0F);
            nuint groups = (nuint)scales.Length;
            for (nuint g = 0; g < groups; g++)
            {
                ref byte target = ref Unsafe.Add(ref output, g * 4 * TWriter.PairBytes);
                byte s = Unsafe.Add(ref scale, g);
                if (s == Mxfp4Format.NaNScale)
                {
                    for (nuint pair = 0; pair < 4; pair++)
                    {
                        TWriter.Write(nan, nan, Mxfp4Format.NaNScale, ref Unsafe.Add(ref target, pair * TWriter.PairBytes));
                    }

                    continue;
                }

                Vector128<byte> packed = Vector128.LoadUnsafe(ref block, g * Mxfp4Format.BlockBytes);
                Vector128<byte> low = packed & nibbleMask;
                Vector128<byte> high = Vector128.ShiftRightLogical(packed.AsUInt16(), 4).AsByte() & nibbleMask;
                Vector128<float> factor = Vector128.Create(TWriter.Factor(s));
                WriteHalfBlock<TWriter>(ZipLow(low, high), factor, s, ref target);
                WriteHalfBlock<TWriter>(ZipHigh(low, high), factor, s, ref Unsafe.Add(ref target, 2 * TWriter.PairBytes));
            }
        }

        /// <summary>Writes the 16 elements whose nibbles are the bytes of <paramref name="nibbles"/>.</summary>
        private static void WriteHalfBlock<TWriter>(Vector128<byte> nibbles, Vector128<float> factor, byte scale, ref byte destination)
            where TWriter : struct, IWriter
        {
            Vector128<byte> high = Lookup(HighBytes, nibbles);
            Vector128<byte> low = Lookup(LowBytes, nibbles);
            Vector128<ushort> first = ZipLow(low, high).AsUInt16();
            Vector128<ushort> second = ZipHigh(low, high).AsUInt16();
            TWriter.Write(ToSingle(first, upper: false) * factor, ToSingle(first, upper: true) * factor, scale, ref destination);
            TWriter.Write(ToSingle(second, upper: false) * factor, ToSingle(second, upper: true) * factor, scale,
                ref Unsafe.Add(ref destination, TWriter.PairBytes));
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

        /// <summary>F16 bits of exactly representable products; see the Vector512 kernel's HalfBits for the method.</summary>
        private static Vector128<uint> HalfBits(Vector128<float> value)
        {
            Vector128<uint> bits = value.AsUInt32();
            Vector128<uint> magnitude = bits & Vector128.Create(0x7FFF_FFFFu);
            Vector128<uint> sign = Vector128.ShiftRightLogical(bits, 16) & Vector128.Create(0x8000u);
            Vector128<uint> normal = Vector128.ShiftRightLogical(magnitude, 13) - Vector128.Create(HalfConstants.ExponentRebias);
            Vector128<uint> small = (magnitude.AsSingle() + Vector128.Create(0.5f)).AsUInt32() - Vector128.Create(
                HalfConstants.OneHalfBits);
            Vector128<int> signedMagnitude = magnitude.AsInt32();
            Vector128<uint> result = Vector128.ConditionalSelect(
                Vector128.GreaterThanOrEqual(signedMagnitude, Vector128.Create(HalfConstants.MinNormalBits)).AsUInt32(), normal, small);
            result = Vector128.ConditionalSelect(
                Vector128.GreaterThanOrEqual(signedMagnitude, Vector128.Create(HalfConstants.OverflowBits)).AsUInt32(),
                    Vector128.Create(HalfConstants.InfinityBits), result);
            result = Vector128.ConditionalSelect(
                Vector128.GreaterThan(signedMagnitude, Vector128.Create(HalfConstants.SingleInfinityBits)).AsUInt32(),
                    Vector128.Create(HalfConstants.NaNBits), result);
            return result | sign;
        }

        /// <summary>
        /// F16 bits (in the low half of each lane; the upper half is not cleared) of products formed with <see cref="HalfFactor"/> for a
        /// scale where
        /// <see cref="IsHalfNormalScale"/> holds: their float32 exponent is already rebiased to F16's, so the bits
        /// shifted right by 13 are the F16 exponent and mantissa.
        /// </summary>
        private static Vector128<uint> NormalHalfBits(Vector128<float> value)
        {
            Vector128<uint> bits = value.AsUInt32();
            return Vector128.ShiftRightLogical(bits, 13) | (Vector128.ShiftRightLogical(bits, 16) & Vector128.Create(0x8000u));
        }

        internal readonly struct SingleWriter : IWriter
        {
            public static float Factor(byte scale) => ScaleFactor(scale);

            public static nuint PairBytes => 8 * sizeof(float);

            public static void Write(Vector128<float> first, Vector128<float> second, byte scale, ref byte destination)
            {
                first.AsByte().StoreUnsafe(ref destination);
                second.AsByte().StoreUnsafe(ref destination, (nuint)Vector128<byte>.Count);
            }
        }

        internal readonly struct BFloat16Writer : IWriter
        {
            public static float Factor(byte scale) => ScaleFactor(scale);

            public static nuint PairBytes => 8 * sizeof(ushort);

            public static void Write(Vector128<float> first, Vector128<float> second, byte scale, ref byte destination)
                => Vector128.Narrow(Vector128.ShiftRightLogical(first.AsUInt32(), 16), Vector128.ShiftRightLogical(second.AsUInt32(), 16))
                    .AsByte().StoreUnsafe(ref destination);
        }

        internal readonly struct HalfWriter : IWriter
        {
            public static float Factor(byte scale) => HalfFactor(scale);

            public static nuint PairBytes => 8 * sizeof(ushort);

            public static void Write(Vector128<float> first, Vector128<float> second, byte scale, ref byte destination)
            {
                Vector128<uint> lower, upper;
                if (IsHalfNormalScale(scale))
                {
                    lower = NormalHalfBits(first);
                    upper = NormalHalfBits(second);
                }
                else
                {
                    lower = HalfBits(first);
                    upper = HalfBits(second);
                }

                Vector128.Narrow(lower, upper).AsByte().StoreUnsafe(ref destination);
            }
        }
    }
}
