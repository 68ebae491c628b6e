using Mxfp4.Core.Formats;
using Mxfp4.Core.Safetensors;

// The namespace is not the folder's: Get-Mxfp4Tensor emits it, and users see its
// full name in the Format.ps1xml view, Get-Member and PSObject.TypeNames; so it keeps the name it was published with.
#pragma warning disable IDE0130 // Namespace does not match folder structure
namespace Mxfp4.Core.Mxfp4;
#pragma warning restore IDE0130

/// <summary>
/// One logical MXFP4 tensor: a blocks tensor <c>[..., G, 16]</c> paired with its scales <c>[..., G]</c>. The logical
/// shape is <c>[..., G*32]</c>; the two halves may live in different shards.
/// </summary>
public sealed class Mxfp4TensorInfo
{
    public Mxfp4TensorInfo(string name, long[] shape, TensorInfo blocks, TensorInfo scales, Mxfp4NamingStyle namingStyle)
    {
        Name = name;
        Shape = shape;
        Blocks = blocks;
        Scales = scales;
        NamingStyle = namingStyle;
        GroupCount = scales.ElementCount;
        ElementCount = checked(GroupCount * BlockFormat.Mxfp4.BlockElements);
    }

    /// <summary>The name without the <c>.blocks</c>/<c>_blocks</c> suffix.</summary>
    public string Name { get; }

#pragma warning disable CA1819 // a shape is naturally an array, and PowerShell users index it
    public long[] Shape { get; }
#pragma warning restore CA1819

    public long ElementCount { get; }

    /// <summary>Number of 32-element groups (one scale byte each).</summary>
    public long GroupCount { get; }

    public TensorInfo Blocks { get; }

    public TensorInfo Scales { get; }

    public Mxfp4NamingStyle NamingStyle { get; }

    /// <summary>The shard holding the blocks (the bulk of the data).</summary>
    public string Path => Blocks.Path;

    /// <summary>Bytes of MXFP4 data: blocks plus scales.</summary>
    public long ByteLength => Blocks.ByteLength + Scales.ByteLength;

    /// <summary>Length of the last dimension: the K of a <c>[rows, K]</c> matrix.</summary>
    public long Columns => Shape[^1];

    /// <summary>Product of all dimensions but the last.</summary>
    public long Rows => Shape.Length == 0 ? 0 : ElementCount / Math.Max(1, Shape[^1]);

    public override string ToString() => $"{Name} MXFP4[{string.Join(", ", Shape)}]";
}
