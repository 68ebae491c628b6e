using Mxfp4.Core.Quantization;

namespace Mxfp4.PowerShell.Commands;

/// <summary>
/// A tensor encoded to MXFP4 in memory: the <see cref="Blocks"/> and <see cref="Scales"/> bytes as a checkpoint stores
/// them, their shapes and names, the scale rule, and how far the encoding is from the input.
/// </summary>
public sealed class EncodedTensor
{
    internal EncodedTensor(string name, string blocksName, string scalesName, long[] shape, ScaleRule scaleRule, byte[] blocks,
        byte[] scales, QuantizationError error)
    {
        Name = name;
        BlocksName = blocksName;
        ScalesName = scalesName;
        Shape = shape;
        ScaleRule = scaleRule;
        Blocks = blocks;
        Scales = scales;
        BlocksShape = [.. shape[..^1], shape[^1] / 32, 16];
        ScalesShape = [.. shape[..^1], shape[^1] / 32];
        MaxAbsError = error.MaxAbsError;
        RelativeRmsError = error.RelativeRmsError;
        SaturatedElements = error.SaturatedElements;
        NonFiniteBlocks = error.NonFiniteBlocks;
    }

    /// <summary>The source tensor's name, which is also the logical name of the pair.</summary>
    public string Name { get; }

    public string BlocksName { get; }

    public string ScalesName { get; }

    public ScaleRule ScaleRule { get; }

#pragma warning disable CA1819 // shapes and data are naturally arrays, and PowerShell users index them
    /// <summary>The logical shape <c>[..., K]</c>, as the source tensor's.</summary>
    public long[] Shape { get; }

    /// <summary><c>[..., K/32, 16]</c>.</summary>
    public long[] BlocksShape { get; }

    /// <summary><c>[..., K/32]</c>.</summary>
    public long[] ScalesShape { get; }

    public byte[] Blocks { get; }

    public byte[] Scales { get; }
#pragma warning restore CA1819

    /// <summary>The largest |x − decoded| over the finite blocks.</summary>
    public double MaxAbsError { get; }

    /// <summary>The RMS of the error relative to the RMS of the input, over the finite blocks.</summary>
    public double RelativeRmsError { get; }

    /// <summary>Elements whose magnitude exceeded 6·2^e and were written as ±6·2^e (only with -ScaleRule Ocp).</summary>
    public long SaturatedElements { get; }

    /// <summary>Blocks that held NaN or ±Inf, written as NaN blocks (scale 255).</summary>
    public long NonFiniteBlocks { get; }

    public override string ToString() => $"{Name} MXFP4[{string.Join(", ", Shape)}]";
}
