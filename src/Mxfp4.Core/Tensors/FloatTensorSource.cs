using Mxfp4.Core.Numerics;
using Mxfp4.Core.Safetensors;

namespace Mxfp4.Core.Tensors;

/// <summary>
/// The one view of a plain floating tensor (BF16, F16, F8_E4M3, F8_E5M2, F32, little-endian), converted to the
/// requested format so every floating tensor decodes like an MXFP4 one: at an offset of a mapped file (what
/// <see cref="TensorReader"/> opens) or in memory (an expert transposed before it is encoded). Nothing is copied or
/// owned: the file stays open and the memory unchanged while the source is in use.
/// </summary>
public sealed class FloatTensorSource : TensorSource
{
    private readonly MappedFile? _file;
    private readonly long _offset;
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly FloatType _type;
    private readonly int _elementBytes;

    /// <summary><paramref name="elementCount"/> elements at <paramref name="offset"/> of a mapped file.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The elements lie outside the file, or the dtype is not floating.</exception>
    public FloatTensorSource(MappedFile file, long offset, long elementCount, SafetensorsDType dtype)
        : this(dtype)
    {
        ArgumentNullException.ThrowIfNull(file);
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

    /// <summary>Elements already in memory; the memory is not copied.</summary>
    /// <exception cref="ArgumentException">The length is not a whole number of elements.</exception>
    public FloatTensorSource(ReadOnlyMemory<byte> data, SafetensorsDType dtype)
        : this(dtype)
    {
        if (data.Length % _elementBytes != 0)
        {
            throw new ArgumentException($"{data.Length} bytes are not a whole number of {dtype} elements.", nameof(data));
        }

        _memory = data;
        ElementCount = data.Length / _elementBytes;
    }

    private FloatTensorSource(SafetensorsDType dtype)
    {
        DType = dtype;
        _type = DTypeTable.ToFloatType(dtype)
            ?? throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a convertible floating dtype.");
        _elementBytes = FloatConversion.BytesPerElement(_type);
    }

    public override long ElementCount { get; }

    public override int ElementAlignment => 1;

    /// <summary>The elements' dtype, so an encoder can read BF16 and F32 in place instead of decoding a copy.</summary>
    internal SafetensorsDType DType { get; }

    /// <summary>The raw bytes of elements [<paramref name="firstElement"/>, +<paramref name="count"/>).</summary>
    internal ReadOnlySpan<byte> Bytes(long firstElement, int count)
    {
        int length = checked(count * _elementBytes);
        return _file is null
            ? _memory.Span.Slice(checked((int)(firstElement * _elementBytes)), length)
            : _file.GetSpan(_offset + (firstElement * _elementBytes), length);
    }

    protected override void DecodeCore(long firstElement, int count, Span<byte> destination, OutputFormat format)
        => FloatConversion.Convert(Bytes(firstElement, count), _type, destination, format);
}
