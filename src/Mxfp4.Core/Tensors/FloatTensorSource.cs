using Mxfp4.Core.Numerics;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Core.Tensors;

/// <summary>
/// A plain floating tensor (BF16, F16, F8_E4M3, F8_E5M2, F32) read from a mapped file and converted to the requested
/// format, so a conversion script can treat every floating tensor like an MXFP4 one. The file is not owned.
/// </summary>
public sealed class FloatTensorSource : TensorSource
{
    private readonly MappedFile _file;
    private readonly long _offset;
    private readonly FloatType _type;
    private readonly int _elementBytes;

    public FloatTensorSource(MappedFile file, long offset, long elementCount, SafetensorsDType dtype)
    {
        ArgumentNullException.ThrowIfNull(file);
        _type = DTypeTable.ToFloatType(dtype)
            ?? throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a convertible floating dtype.");
        _elementBytes = FloatConversion.BytesPerElement(_type);
        if (offset < 0 || elementCount < 0 || offset > file.Length || elementCount > (file.Length - offset) / _elementBytes)
        {
            throw new ArgumentOutOfRangeException(
                nameof(offset),
                $"{elementCount} {dtype} elements at offset {offset} lie outside '{file.Path}' ({file.Length} bytes).");
        }

        _file = file;
        _offset = offset;
        ElementCount = elementCount;
    }

    public override long ElementCount { get; }

    public override int ElementAlignment => 1;

    protected override void DecodeCore(long firstElement, int count, Span<byte> destination, OutputFormat format)
    {
        var source = _file.GetSpan(_offset + (firstElement * _elementBytes), checked(count * _elementBytes));
        FloatConversion.Convert(source, _type, destination, format);
    }
}
