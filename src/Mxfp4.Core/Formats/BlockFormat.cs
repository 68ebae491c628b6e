using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Numerics;
using Mxfp4.Core.Quantization;

namespace Mxfp4.Core.Formats;

/// <summary>Dequantizes whole blocks into <paramref name="destination"/> in <paramref name="format"/>.</summary>
public delegate void BlockDecoder(ReadOnlySpan<byte> blocks, ReadOnlySpan<byte> scales, Span<byte> destination, OutputFormat format);

/// <summary>Encodes whole blocks of float32 values; returns how many blocks held NaN or an infinity.</summary>
public delegate int BlockEncoder(ReadOnlySpan<float> values, Span<byte> blocks, Span<byte> scales, ScaleRule rule);

/// <summary>
/// A block-quantized format as data, as a row of ggml's <c>type_traits</c>: its name, block geometry, scale type, the
/// decode and encode entry points, and how a checkpoint names and pairs its blocks and scales tensors. Pairing, the
/// tensor record, conversion planning and matvec take the format's facts from here; MXFP4 is the one entry.
/// </summary>
public sealed class BlockFormat
{
    private BlockFormat(
        string name,
        string elementType,
        int blockElements,
        int blockBytes,
        BlockScaleType scaleType,
        BlockDecoder decode,
        BlockEncoder encode,
        IReadOnlyList<BlockTensorNaming> namings)
    {
        Name = name;
        ElementType = elementType;
        BlockElements = blockElements;
        BlockBytes = blockBytes;
        ScaleType = scaleType;
        Decode = decode;
        Encode = encode;
        Namings = namings;
    }

    /// <summary>
    /// OCP MX v1.0 MXFP4 as gpt-oss stores it: 32 E2M1 elements in 16 bytes (low nibble first) sharing one E8M0 scale;
    /// blocks <c>[..., G, 16]</c> U8 beside scales <c>[..., G]</c> U8.
    /// </summary>
    public static BlockFormat Mxfp4 { get; } = new(
        "MXFP4",
        "E2M1",
        Mxfp4Format.BlockElements,
        Mxfp4Format.BlockBytes,
        BlockScaleType.E8M0,
        Mxfp4Kernels.Dequantize,
        Mxfp4Encoder.Encode,
        [
            new(".blocks", ".scales", Mxfp4NamingStyle.GptOss),
            new("_blocks", "_scales", Mxfp4NamingStyle.HuggingFace),
        ]);

    /// <summary>Every block format the engine knows.</summary>
    public static IReadOnlyList<BlockFormat> All { get; } = [Mxfp4];

    public string Name { get; }

    /// <summary>The element encoding inside a block.</summary>
    public string ElementType { get; }

    /// <summary>Elements per block, sharing one scale.</summary>
    public int BlockElements { get; }

    /// <summary>Bytes one block's elements occupy.</summary>
    public int BlockBytes { get; }

    public BlockScaleType ScaleType { get; }

    public BlockDecoder Decode { get; }

    public BlockEncoder Encode { get; }

    /// <summary>The suffix pairs a checkpoint may name the blocks and scales tensors with, in matching order.</summary>
    public IReadOnlyList<BlockTensorNaming> Namings { get; }

    /// <summary>The blocks and scales tensor names of logical tensor <paramref name="name"/> in <paramref name="style"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The format has no naming in that style.</exception>
    public (string Blocks, string Scales) TensorNames(string name, Mxfp4NamingStyle style)
    {
        foreach (var naming in Namings)
        {
            if (naming.Style == style)
            {
                return (name + naming.BlocksSuffix, name + naming.ScalesSuffix);
            }
        }

        throw new ArgumentOutOfRangeException(nameof(style), style, $"{Name} has no such naming style.");
    }

    /// <summary>Whether a tensor name is the blocks or scales half of a tensor of this format in any naming.</summary>
    public bool IsPart(string tensorName)
    {
        ArgumentNullException.ThrowIfNull(tensorName);
        foreach (var naming in Namings)
        {
            if (tensorName.EndsWith(naming.BlocksSuffix, StringComparison.Ordinal)
                || tensorName.EndsWith(naming.ScalesSuffix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => Name;
}
