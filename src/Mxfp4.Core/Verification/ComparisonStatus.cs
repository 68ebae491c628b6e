namespace Mxfp4.Core.Verification;

/// <summary>What could be done with a tensor name found in either checkpoint.</summary>
public enum ComparisonStatus
{
    /// <summary>Both sides hold it with matching shapes; every element was compared.</summary>
    Compared,

    /// <summary>Only the reference checkpoint holds it.</summary>
    ReferenceOnly,

    /// <summary>Only the difference checkpoint holds it.</summary>
    DifferenceOnly,

    /// <summary>Both hold it, with shapes that do not correspond (element counts or dimensions differ).</summary>
    ShapeMismatch,

    /// <summary>Both hold it, but as dtypes that neither decode to float32 nor are the same (e.g. I64 against BF16).</summary>
    NotComparable,
}
