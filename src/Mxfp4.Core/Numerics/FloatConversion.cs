using Mxfp4.Core.Safetensors;
namespace Mxfp4.Core.Numerics;
public static class FloatConversion
{
    public static bool IsSupported(SafetensorsDType d) => d is SafetensorsDType.BF16 or SafetensorsDType.F32;
    public static void Convert(ReadOnlySpan<byte> source, SafetensorsDType sourceType, Span<byte> destination, OutputFormat format) => throw new NotSupportedException();
}
