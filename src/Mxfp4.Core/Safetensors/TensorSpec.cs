namespace Mxfp4.Core.Safetensors;

/// <summary>A tensor to be written: name, dtype and shape. Its byte size follows from them.</summary>
#pragma warning disable CA1819 // a shape is naturally an array
public sealed record TensorSpec(string Name, SafetensorsDType DType, long[] Shape)
#pragma warning restore CA1819
{
    /// <summary>prod(shape) × bits / 8; throws when that overflows 64 bits or is not a whole number of bytes.</summary>
    public long ByteLength { get; } = ComputeByteLength(Name, DType, Shape);

    public long ElementCount => ComputeElementCount(Name, Shape);

    private static long ComputeByteLength(string name, SafetensorsDType dtype, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(name);
        ulong bits;
        try
        {
            // Unsigned as in the reader: the bit count may use all 64 bits.
            bits = checked((ulong)ComputeElementCount(name, shape) * (ulong)DTypeTable.BitSize(dtype));
        }
        catch (OverflowException e)
        {
            throw new ArgumentException($"Tensor '{name}': shape [{string.Join(", ", shape)}] of {dtype} does not fit 64-bit sizes.",
                nameof(shape), e);
        }

        if (bits % 8 != 0)
        {
            throw new ArgumentException(
                $"Tensor '{name}': shape [{string.Join(", ", shape)}] of {dtype} holds {bits} bits, not a whole number of bytes.",
                nameof(shape));
        }

        return (long)(bits / 8);
    }

    private static long ComputeElementCount(string name, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (long dim in shape)
        {
            if (dim < 0)
            {
                throw new ArgumentException($"Tensor '{name}': shape dimension {dim} is negative.", nameof(shape));
            }

            count = checked(count * dim);
        }

        return count;
    }
}
