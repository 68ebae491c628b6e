namespace Mxfp4.Core.Conversion;

/// <summary>What a finished conversion wrote.</summary>
public sealed record ConversionResult(IReadOnlyList<string> WrittenFiles, int TensorsConverted, int TensorsCopied, long BytesWritten,
    TimeSpan Elapsed)
{
    /// <summary>For an encoding: the tensors that held NaN or ±Inf, with how many blocks each (written as NaN blocks).</summary>
    public IReadOnlyDictionary<string, long> NonFiniteBlocks { get; init; } = new Dictionary<string, long>();
}
