namespace Mxfp4.Core.Verification;

/// <summary>Elements compared so far of all selected tensors, and the tensor being compared.</summary>
public readonly record struct ComparisonProgress(long DoneElements, long TotalElements, string Tensor);
