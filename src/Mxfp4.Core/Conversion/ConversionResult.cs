namespace Mxfp4.Core.Conversion;

/// <summary>What a finished conversion wrote.</summary>
public sealed record ConversionResult(IReadOnlyList<string> WrittenFiles, int TensorsConverted, int TensorsCopied, long BytesWritten, TimeSpan Elapsed);
