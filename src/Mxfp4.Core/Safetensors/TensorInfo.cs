namespace Mxfp4.Core.Safetensors;

/// <summary>
/// One tensor of a safetensors file as its header describes it. <see cref="DataOffset"/> is absolute in the file
/// (header length prefix and header included), so a reader can go straight to the bytes.
/// </summary>
public sealed class TensorInfo
{
    public TensorInfo(string name, SafetensorsDType dtype, long[] shape, long elementCount, long byteLength, long dataOffset, string path)
    {
        Name = name;
        DType = dtype;
        Shape = shape;
        ElementCount = elementCount;
        ByteLength = byteLength;
        DataOffset = dataOffset;
        Path = path;
    }

    public string Name { get; }

    public SafetensorsDType DType { get; }

#pragma warning disable CA1819 // a shape is naturally an array, and PowerShell users index it
    public long[] Shape { get; }
#pragma warning restore CA1819

    public long ElementCount { get; }

    public long ByteLength { get; }

    public long DataOffset { get; }

    /// <summary>Full path of the file (shard) that holds the tensor.</summary>
    public string Path { get; }

    public override string ToString() => $"{Name} {DType}[{string.Join(", ", Shape)}]";
}
