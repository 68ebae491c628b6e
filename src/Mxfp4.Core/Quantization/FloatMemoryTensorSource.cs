using Mxfp4.Core.Numerics;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;

namespace Mxfp4.Core.Quantization;

/// <summary>
/// A floating tensor (BF16, F16, F8, F32, little-endian) already in memory, such as an expert transposed before it is
/// encoded. The memory is not copied; it must stay unchanged while the source is in use.
/// </summary>
public sealed class FloatMemoryTensorSource : TensorSource
{
    private readonly ReadOnlyMemory<byte> _data;
    private readonly FloatType _type;
    private readonly int _elementBytes;

    public FloatMemoryTensorSource(ReadOnlyMemory<byte> data, SafetensorsDType dtype)
    {
        DType = dtype;
        _type = DTypeTable.ToFloatType(dtype)
            ?? throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a convertible floating dtype.");
        _elementBytes = FloatConversion.BytesPerElement(_type);
        if (data.Length % _elementBytes != 0)
        {
            throw new ArgumentException($"{data.Length} bytes are not a whole number of {dtype} elements.", nameof(data));
        }

        _data = data;
    }

    public override long ElementCount => _data.Length / _elementBytes;

    /// <summary>The elements' dtype, so an encoder can read BF16 and F32 in place instead of decoding a copy.</summary>
    internal SafetensorsDType DType { get; }

    /// <summary>The raw bytes of elements [<paramref name="firstElement"/>, +<paramref name="count"/>).</summary>
    internal ReadOnlySpan<byte> Bytes(long firstElement, int count)
        => _data.Span.Slice(checked((int)firstElement * _elementBytes), checked(count * _elementBytes));

    public override int ElementAlignment => 1;

    protected override void DecodeCore(long firstElement, int count, Span<byte> destination, OutputFormat format)
        => FloatConversion.Convert(Bytes(firstElement, count), _type, destination, format);
}
