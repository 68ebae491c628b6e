using Mxfp4.Core.Numerics;

namespace Mxfp4.PowerShell.Commands;

/// <summary>
/// A dequantized tensor (or slice) in memory. <see cref="Data"/> is <c>float[]</c> for F32, <c>Half[]</c> for F16
/// and the BF16 bit patterns as <c>ushort[]</c> for BF16. The view shows a preview, never the whole array.
/// </summary>
public sealed class TensorData
{
    public TensorData(string name, OutputFormat format, long[] shape, Array data, int? expert)
    {
        Name = name;
        Format = format;
        Shape = shape;
        Data = data;
        Expert = expert;
    }

    public string Name { get; }

    public OutputFormat Format { get; }

#pragma warning disable CA1819 // shapes and data are naturally arrays, and PowerShell users index them
    public long[] Shape { get; }
#pragma warning restore CA1819

    public long ElementCount => Data.LongLength;

    /// <summary>The expert this slice is from, when -Expert selected one.</summary>
    public int? Expert { get; }

    public Array Data { get; }

    public override string ToString() => $"{Name} {Format}[{string.Join(", ", Shape)}]";
}
