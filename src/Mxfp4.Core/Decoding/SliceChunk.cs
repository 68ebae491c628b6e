namespace Mxfp4.Core.Decoding;

/// <summary>
/// One piece of a tensor slice decoded at a time: its first element in the tensor, its element count, and how many
/// elements of the slice come before it (where it goes in the slice's output).
/// </summary>
public readonly record struct SliceChunk(long First, long Count, long Done);
