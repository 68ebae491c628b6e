using System.Numerics.Tensors;
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
    /// <summary>Elements converted per step when a conversion goes through a float32 buffer.</summary>
    private const int ChunkElements = 1024;

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
            throw new ArgumentException(
                $"Expected {count * format.BytesPerElement()} destination bytes for {count} {format} elements, got {destination.Length}.",
                nameof(destination));
        }

        switch (sourceType)
        {
            case SafetensorsDType.F8_E4M3:
                Lookup(source, destination, format, Float8Tables.E4M3ToSingle, Float8Tables.E4M3ToBFloat16, Float8Tables.E4M3ToHalf);
                break;
            case SafetensorsDType.F8_E5M2:
                Lookup(source, destination, format, Float8Tables.E5M2ToSingle, Float8Tables.E5M2ToBFloat16, Float8Tables.E5M2ToHalf);
                break;
            case SafetensorsDType.BF16:
                FromBFloat16(MemoryMarshal.Cast<byte, ushort>(source), destination, format);
                break;
            case SafetensorsDType.F16:
                FromHalf(MemoryMarshal.Cast<byte, Half>(source), destination, format);
                break;
            default:
                FromSingle(MemoryMarshal.Cast<byte, float>(source), destination, format);
                break;
        }
    }

    private static void FromBFloat16(ReadOnlySpan<ushort> source, Span<byte> destination, OutputFormat format)
    {
        switch (format)
        {
            case OutputFormat.F32:
                BFloat16Conversion.Widen(source, MemoryMarshal.Cast<byte, uint>(destination));
                break;
            case OutputFormat.BF16:
                MemoryMarshal.AsBytes(source).CopyTo(destination);
                break;
            default:
                // Widening is exact, so the float32 to F16 conversion is the only rounding.
                Span<float> buffer = stackalloc float[ChunkElements];
                var output = MemoryMarshal.Cast<byte, Half>(destination);
                for (int start = 0; start < source.Length; start += ChunkElements)
                {
                    int length = Math.Min(ChunkElements, source.Length - start);
                    var chunk = buffer[..length];
                    BFloat16Conversion.Widen(source.Slice(start, length), MemoryMarshal.Cast<float, uint>(chunk));
                    TensorPrimitives.ConvertToHalf(chunk, output.Slice(start, length));
                }

                break;
        }
    }

    private static void FromHalf(ReadOnlySpan<Half> source, Span<byte> destination, OutputFormat format)
    {
        switch (format)
        {
            case OutputFormat.F32:
                TensorPrimitives.ConvertToSingle(source, MemoryMarshal.Cast<byte, float>(destination));
                break;
            case OutputFormat.F16:
                MemoryMarshal.AsBytes(source).CopyTo(destination);
                break;
            default:
                // Every F16 is exact in float32, so the float32 to BF16 rounding is the only one.
                Span<float> buffer = stackalloc float[ChunkElements];
                var output = MemoryMarshal.Cast<byte, ushort>(destination);
                for (int start = 0; start < source.Length; start += ChunkElements)
                {
                    int length = Math.Min(ChunkElements, source.Length - start);
                    var chunk = buffer[..length];
                    TensorPrimitives.ConvertToSingle(source.Slice(start, length), chunk);
                    BFloat16Conversion.Narrow(MemoryMarshal.Cast<float, uint>(chunk), output.Slice(start, length));
                }

                break;
        }
    }

    private static void FromSingle(ReadOnlySpan<float> source, Span<byte> destination, OutputFormat format)
    {
        switch (format)
        {
            case OutputFormat.F32:
                MemoryMarshal.AsBytes(source).CopyTo(destination);
                break;
            case OutputFormat.BF16:
                BFloat16Conversion.Narrow(MemoryMarshal.Cast<float, uint>(source), MemoryMarshal.Cast<byte, ushort>(destination));
                break;
            default:
                TensorPrimitives.ConvertToHalf(source, MemoryMarshal.Cast<byte, Half>(destination));
                break;
        }
    }

    private static void Lookup(ReadOnlySpan<byte> source, Span<byte> destination, OutputFormat format, uint[] single, ushort[] bfloat16,
        ushort[] half)
    {
        if (format == OutputFormat.F32)
        {
            var output = MemoryMarshal.Cast<byte, uint>(destination);
            for (int i = 0; i < source.Length; i++)
            {
                output[i] = single[source[i]];
            }

            return;
        }

        var table = format == OutputFormat.BF16 ? bfloat16 : half;
        var words = MemoryMarshal.Cast<byte, ushort>(destination);
        for (int i = 0; i < source.Length; i++)
        {
            words[i] = table[source[i]];
        }
    }
}
