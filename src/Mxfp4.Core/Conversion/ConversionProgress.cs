namespace Mxfp4.Core.Conversion;

/// <summary>Where a running conversion is: reported between chunks, on the thread that called the converter.</summary>
public readonly record struct ConversionProgress(string Shard, string Tensor, long ShardBytesDone, long ShardBytes, long BytesDone,
    long TotalBytes);
