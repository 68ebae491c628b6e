using System.Runtime.InteropServices;

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
    /// <summary>Bytes one element of <paramref name="type"/> occupies.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a defined type.</exception>
    public static int BytesPerElement(FloatType type) => type switch
    {
        FloatType.F32 => 4,
        FloatType.BF16 or FloatType.F16 => 2,
        FloatType.F8_E4M3 or FloatType.F8_E5M2 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown floating type."),
    };

    /// <summary>
    /// Converts every element of <paramref name="source"/> (its length / the size of <paramref name="sourceType"/>
    /// elements) into <paramref name="destination"/>, which must hold exactly that many elements of <paramref name="format"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The source is not a whole number of elements, or the destination length
    /// does not match.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The source type or the format is not defined.</exception>
    public static void Convert(ReadOnlySpan<byte> source, FloatType sourceType, Span<byte> destination, OutputFormat format)
    {
        int sourceSize = BytesPerElement(sourceType);
        if (source.Length % sourceSize != 0)
        {
            throw new ArgumentException($"{source.Length} bytes are not a whole number of {sourceType} elements.", nameof(source));
        }

        long count = source.Length / sourceSize;
        if (destination.Length != count * format.BytesPerElement())
        {
            throw new ArgumentException(
                $"Expected {count * format.BytesPerElement()} destination bytes for {count} {format} elements, got {destination.Length}.",
                nameof(destination));
        }

        var conversion = new Conversion(sourceType);
        OutputFormats.Visit(format, ref conversion, source, default, destination);
    }

    private readonly struct Conversion(FloatType sourceType) : IOutputFormatVisitor
    {
        public void Visit<TFormat>(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination)
            where TFormat : struct, IOutputFormat
        {
            switch (sourceType)
            {
                case FloatType.F8_E4M3:
                    TFormat.FromFloat8(first, destination, Float8Tables.E4M3);
                    break;
                case FloatType.F8_E5M2:
                    TFormat.FromFloat8(first, destination, Float8Tables.E5M2);
                    break;
                case FloatType.BF16:
                    TFormat.FromBFloat16(MemoryMarshal.Cast<byte, ushort>(first), destination);
                    break;
                case FloatType.F16:
                    TFormat.FromHalf(MemoryMarshal.Cast<byte, Half>(first), destination);
                    break;
                case FloatType.F32:
                    TFormat.FromSingle(MemoryMarshal.Cast<byte, float>(first), destination);
                    break;
                default:
                    throw new System.Diagnostics.UnreachableException($"{sourceType} has a size but no conversion.");
            }
        }
    }
}
