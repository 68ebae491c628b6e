namespace Mxfp4.Core.Verification;

/// <summary>
/// How one logical tensor differs between a reference and a difference checkpoint, element by element after decoding
/// both to float32. Differences are computed in float64 over the elements finite on both sides; a pair where one side
/// is NaN or infinite and the other is not (or both infinite with opposite signs) makes MaxAbsDiff, MaxRelDiff and
/// RmsDiff +Infinity.
/// </summary>
public sealed class TensorComparison
{
    public required string Name { get; init; }

    public required ComparisonStatus Status { get; init; }

    /// <summary>The logical shape on the reference side (the difference side's when only it holds the tensor).</summary>
#pragma warning disable CA1819 // a shape is naturally an array, and PowerShell users index it
    public required long[] Shape { get; init; }

    /// <summary>The difference side's shape as stored (transposed experts show as <c>[E, in, out]</c>), or null.</summary>
    public long[]? DifferenceShape { get; init; }
#pragma warning restore CA1819

    /// <summary>MXFP4 or the stored dtype, on the reference side; null when absent.</summary>
    public string? ReferenceDType { get; init; }

    public string? DifferenceDType { get; init; }

    /// <summary>The difference side was read as <c>[E, in, out]</c> and compared transposed.</summary>
    public bool Transposed { get; init; }

    public long ElementCount { get; init; }

    public double MaxAbsDiff { get; init; } = double.NaN;

    /// <summary>The largest |a − b| / max(|a|, |b|) (0 where both are 0).</summary>
    public double MaxRelDiff { get; init; } = double.NaN;

    /// <summary>The root mean square of a − b over the elements finite on both sides.</summary>
    public double RmsDiff { get; init; } = double.NaN;

    /// <summary>Elements that are not equal: −0 equals +0 and NaN equals NaN, everything else compares by value.</summary>
    public long DifferentCount { get; init; }

    public long ReferenceNaN { get; init; }

    public long ReferenceInfinity { get; init; }

    public long DifferenceNaN { get; init; }

    public long DifferenceInfinity { get; init; }

    /// <summary>Compared and no element differs.</summary>
    public bool Equal { get; init; }

    /// <summary>Compared and MaxAbsDiff is at most the tolerance.</summary>
    public bool WithinTolerance { get; init; }
}
