using System.Runtime.InteropServices;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Core.Numerics;

/// <summary>
/// Upcasts (and same-type copies) of floating tensors into the engine's output formats: the non-MXFP4 half of a
/// checkpoint conversion. All data is little-endian; spans may have any alignment.
/// </summary>
/// <remarks>
/// <para>Every conversion is exact where the target represents the value: BF16, F16, F8_E4M3 and F8_E5M2 to float32,
/// both 8-bit formats to BF16 and F16, and same-type conversions (bytes are copied unchanged).</para>
/// <para>Narrowing rounds once, to nearest with ties to even, including into subnormals and to +-0; values beyond
/// the target's range become +-Inf: float32 to BF16 and F16, BF16 to F16 (BF16 has the wider exponent), F16 to BF16
/// (F16 has the longer mantissa).</para>
/// <para>NaN stays NaN with its sign and is made quiet. BF16 to float32 keeps every bit (it is a widening shift);
/// float32/BF16/F16 conversions otherwise keep the top payload bits that fit, as <see cref="Half"/>'s conversions do;
/// the 8-bit NaNs (E4M3 S.1111.111, E5M2 S.11111.xx with xx &gt; 0) become the canonical quiet NaN of their sign.
/// F8_E4M3 is OCP E4M3FN: no infinities, largest finite 448.</para>
/// </remarks>
public static class FloatConversion
{
    /// <summary>Whether <see cref="Convert"/> accepts tensors of <paramref name="sourceType"/>.</summary>
    public static bool IsSupported(SafetensorsDType sourceType) => sourceType
        is SafetensorsDType.BF16 or SafetensorsDType.F16 or SafetensorsDType.F32
        or SafetensorsDType.F8_E4M3 or SafetensorsDType.F8_E5M2;

    /// <summary>
    /// Converts every element of <paramref name="source"/> (its length / the size of <paramref name="sourceType"/>
    /// elements) into <paramref name="destination"/>, which must hold exactly that many elements of <paramref name="format"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The source type is not supported, the source is not a whole number of
    /// elements, or the destination length does not match.</exception>
    public static void Convert(ReadOnlySpan<byte> source, SafetensorsDType sourceType, Span<byte> destination, OutputFormat format)
    {
        if (!IsSupported(sourceType))
        {
            throw new ArgumentException($"Cannot convert {sourceType} to a floating output format.", nameof(sourceType));
        }

        int sourceSize = DTypeTable.BitSize(sourceType) / 8;
        if (source.Length % sourceSize != 0)
        {
            throw new ArgumentException($"{source.Length} bytes are not a whole number of {sourceType} elements.", nameof(source));
        }

        long count = source.Length / sourceSize;
        if (destination.Length != count * format.BytesPerElement())
        {
            throw new ArgumentException($"Expected {count * format.BytesPerElement()} destination bytes for {count} {format} elements, got {destination.Length}.", nameof(destination));
        }

        var conversion = new Conversion(sourceType);
        OutputFormats.Visit(format, ref conversion, source, default, destination);
    }

    private readonly struct Conversion(SafetensorsDType sourceType) : IOutputFormatVisitor
    {
        public void Visit<TFormat>(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination)
            where TFormat : struct, IOutputFormat
        {
            switch (sourceType)
            {
                case SafetensorsDType.F8_E4M3:
                    TFormat.FromFloat8(first, destination, Float8Tables.E4M3);
                    break;
                case SafetensorsDType.F8_E5M2:
                    TFormat.FromFloat8(first, destination, Float8Tables.E5M2);
                    break;
                case SafetensorsDType.BF16:
                    TFormat.FromBFloat16(MemoryMarshal.Cast<byte, ushort>(first), destination);
                    break;
                case SafetensorsDType.F16:
                    TFormat.FromHalf(MemoryMarshal.Cast<byte, Half>(first), destination);
                    break;
                case SafetensorsDType.F32:
                    TFormat.FromSingle(MemoryMarshal.Cast<byte, float>(first), destination);
                    break;
                default:
                    throw new System.Diagnostics.UnreachableException($"{sourceType} passed IsSupported but has no conversion.");
            }
        }
    }
}
